// The load generator's HTTP client: undici's `request` over one keep-alive
// agent, answering the few members of a fetch Response the bench reads.
// Why not fetch: client and server share this machine's two cores, and
// fetch's WHATWG streams cost the client about twice undici's CPU per
// request. That CPU is taken from the server, and most of all from a trivial
// route, so the baseline measured too low and every share too high (the
// trivial route: ~350 req/s with fetch, ~550 with this, ~750 with wrk).
import { Agent, request } from "undici";

const agent = new Agent({ keepAliveTimeout: 30_000, pipelining: 1 });

/** `fetch(url, { method, headers, body })` for the bench: status, headers.get, text, arrayBuffer, json. */
export async function send(url, { method = "GET", headers, body } = {}) {
  const res = await request(url, { method, headers, body, dispatcher: agent });
  return {
    status: res.statusCode,
    headers: {
      get(name) {
        const value = res.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(", ") : (value ?? null);
      },
    },
    text: () => res.body.text(),
    arrayBuffer: () => res.body.arrayBuffer(),
    json: () => res.body.json(),
  };
}
