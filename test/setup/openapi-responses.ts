/**
 * Every response the Workers test projects receive is held to the OpenAPI
 * document (test/openapi/response-check.ts): `SELF.fetch` — which
 * test/helpers/api.ts, the pryv client's routing and direct callers all go
 * through — is wrapped once per isolate, and after each test the exchanges it
 * made are checked; any mismatch fails that test, naming operation, status
 * and what did not match.
 */
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach } from "vitest";
import { getConfig } from "../../src/config";
import { openApiDocument } from "../../src/openapi/document";
import { ResponseChecker, type Exchange } from "../openapi/response-check";

interface Hooked {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
}

// Kept on the isolate's global (any property read on the RPC stub itself would be a remote method).
const state = ((globalThis as Record<symbol, unknown>)[Symbol.for("pryv.openapi.responses")] ??= {
  hooked: new WeakSet<object>(),
  exchanges: [] as Promise<Exchange | null>[],
}) as { hooked: WeakSet<object>; exchanges: Promise<Exchange | null>[] };

/** Bodies still streaming after this long are left unchecked (a test that never reads a stream to its end). */
const BODY_WAIT_MS = 5000;

const self = (exports as unknown as { default: Hooked }).default;
if (!state.hooked.has(self)) {
  state.hooked.add(self);
  const exchanges = state.exchanges;
  const original = self.fetch.bind(self);
  self.fetch = async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const url = input instanceof Request ? input.url : String(input);
    const res = await original(input, init);
    if (res.status === 101 || (res as { webSocket?: unknown }).webSocket) {
      exchanges.push(Promise.resolve({ method, url, status: 101, contentType: "", body: "" }));
      return res;
    }
    const copy = res.clone();
    // Files (attachments) are drained, not decoded: only their status and media type are checked.
    const textual = /json|text|html|xml/.test(res.headers.get("Content-Type") ?? "");
    const body = (textual ? copy.text() : copy.arrayBuffer().then((b) => (b.byteLength ? "(binary)" : ""))).catch(() => null);
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), BODY_WAIT_MS));
    exchanges.push(
      Promise.race([body, timeout]).then((text) =>
        text === null ? null : { method, url, status: res.status, contentType: res.headers.get("Content-Type") ?? "", body: text },
      ),
    );
    return res;
  };
}

let checker: ResponseChecker | undefined;

afterEach(async () => {
  const done = await Promise.all(state.exchanges.splice(0));
  if (!checker) {
    const config = getConfig(env as never); // a configuration that does not parse fails here, as it should
    checker = new ResponseChecker(openApiDocument(config), config.domain);
  }
  const failures = done.filter((x): x is Exchange => x !== null).map((x) => checker!.check(x)).filter(Boolean);
  if (failures.length) {
    throw new Error(`${failures.length} response(s) not as the OpenAPI document says:\n- ${[...new Set(failures)].join("\n- ")}`);
  }
});
