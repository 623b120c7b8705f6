/**
 * The rule for every URL this service calls out to (webhooks, the HTTP mail
 * API): http(s) only, no credentials in the URL and — unless the operator
 * allows private targets (WEBHOOKS_ALLOW_PRIVATE, local development) — no
 * private, loopback, link-local or unspecified address and no `localhost`
 * name. Host names are judged as written (see webhooks/url-policy.ts on DNS).
 */
import ipaddr from "ipaddr.js";

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
