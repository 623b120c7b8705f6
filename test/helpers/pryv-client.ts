/**
 * The official `pryv` npm client, unchanged, talking to the Worker under test:
 * its `fetch` calls to the test host are routed to `SELF.fetch`.
 */
import { SELF } from "cloudflare:test";
import pryv from "pryv";
import { afterAll, beforeAll } from "vitest";
import { BASE } from "./api";
import { uniqueUsername } from "./users";

export { pryv };

export const SERVICE_INFO_URL = `${BASE}/reg/service/info`;

export function routeClientToWorker(): void {
  const original = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      const target = input instanceof Request ? input.url : String(input);
      return target.startsWith(BASE) ? SELF.fetch(input, init) : original(input, init);
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = original;
  });
}

/**
 * A new account through the client (createUser) and its logged-in Connection.
 * Untyped: the package's typings are narrower than what the client accepts (e.g. `includeDeletions`).
 */
export async function connect(): Promise<{ connection: any; username: string }> {
  const service = new pryv.Service(SERVICE_INFO_URL);
  const username = uniqueUsername("libjs");
  const password = `${username}-pass`;
  await service.createUser({ username, password, email: `${username}@example.com`, hosting: "auto", appId: "jslib-test" });
  return { connection: await service.login(username, password, "jslib-test"), username };
}
