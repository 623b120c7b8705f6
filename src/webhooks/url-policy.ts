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
import ipaddr from "ipaddr.js";
import { getConfig } from "../config";
import type { Env } from "../env";

export const MAX_URL_LENGTH = 2048;

/** The operator's switch (wrangler var), read here only. */
export function privateTargetsAllowed(env: Env): boolean {
  return getConfig(env).webhooks.allowPrivateTargets;
}

/** Why `url` may not be called, or null when it may. */
export function refusedTarget(url: string, allowPrivate: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "url must be an absolute URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "url must be an http(s) URL";
  if (parsed.username || parsed.password) return "url must not contain credentials";
  if (allowPrivate) return null;
  // WHATWG URL parsing already normalised IPv4 forms (`2130706433`, `0x7f.1`) to dotted quads.
  const host = parsed.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local")) return "url targets a local host name";
  const literal = host.startsWith("[") ? host.slice(1, -1) : host;
  if (ipaddr.isValid(literal) && !isPublic(ipaddr.parse(literal))) return "url targets a private address";
  return null;
}

/**
 * Only plain unicast addresses are public: ipaddr.js classifies the rest
 * (private, loopback, link-local, unique-local, carrier-grade NAT,
 * unspecified, multicast, reserved, and the IPv6 forms embedding an IPv4
 * address — mapped ones are judged as that address).
 */
function isPublic(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return isPublic((address as ipaddr.IPv6).toIPv4Address());
  }
  return address.range() === "unicast";
}
