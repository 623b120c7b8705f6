/**
 * Where webhooks may call: http(s) URLs only, and — unless the operator sets
 * WEBHOOKS_ALLOW_PRIVATE=true (local development, tests) — no private,
 * loopback, link-local or unspecified address and no `localhost` name.
 * Checked when a webhook is created or updated, and again before each call.
 *
 * A host NAME is judged as written: a Worker cannot resolve DNS itself, so a
 * name that resolves to a private address (or is re-bound to one after the
 * check: DNS rebinding) cannot be caught here. Cloudflare's network stands
 * there instead: `fetch` from a Worker leaves from Cloudflare's edge, which
 * has no route into the operator's private networks, and Cloudflare refuses
 * requests from Workers to its own internal and reserved addresses. Redirects
 * are not followed (see delivery.ts), so a receiver cannot bounce a call to
 * another target either.
 */
import { getConfig } from "../config";
import type { Env } from "../env";

/** The rule itself is shared with every outgoing call (src/shared/outgoing-url.ts). */
export { refusedTarget } from "../shared/outgoing-url";

export const MAX_URL_LENGTH = 2048;

/** The operator's switch (wrangler var), read here only. */
export function privateTargetsAllowed(env: Env): boolean {
  return getConfig(env).webhooks.allowPrivateTargets;
}
