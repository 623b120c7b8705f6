// The test runtime provides Node's `fs` (the pryv client's createEventWithFile reads files with it).
declare module "node:fs" {
  export function writeFileSync(path: string, data: Uint8Array | string): void;
}
