/**
 * Who a login attempt comes from, as the login guard (account-do/login-guard.ts)
 * counts failures: a network address for logins, the session for password changes.
 * Addresses are read by ipaddr.js (every IPv4 and IPv6 spelling, IPv4-mapped ones).
 */
import ipaddr from "ipaddr.js";

/** The client of a login: its address (IPv4, or IPv6 by /64); callers without one share a bucket. */
export function addressClient(ip: string | null): string {
  return `ip:${(ip && networkOf(ip)) || "unknown"}`;
}

/** The client of a call made with a valid personal token: the session itself. */
export function sessionClient(accessId: string): string {
  return `session:${accessId}`;
}

/** An IPv4 address as is, an IPv6 one as its /64 (what one subscriber usually gets), an IPv4-mapped one as IPv4. */
function networkOf(text: string): string | null {
  const value = text.trim().replace(/^\[|\]$/g, "").split("%")[0]!;
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value).toString();
  if (!ipaddr.IPv6.isValid(value)) return null;
  const v6 = ipaddr.IPv6.parse(value);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${v6.toString()}/64`).toString()}/64`;
}
