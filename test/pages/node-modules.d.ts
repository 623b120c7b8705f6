// The few Node APIs the browser test (consent.spec.ts, run under Node) uses; the project has no @types/node.
declare module "node:http" {
  export interface IncomingMessage {
    url?: string;
  }
  export interface ServerResponse {
    writeHead(status: number, headers?: Record<string, string>): this;
    end(body?: string): void;
  }
  export interface Server {
    listen(port: number, host: string, listening: () => void): this;
    address(): { port: number } | string | null;
    close(closed?: () => void): this;
  }
  export function createServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Server;
}
