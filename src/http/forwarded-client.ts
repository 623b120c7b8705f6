/**
 * A request the register forwards to a core (src/register/forward.ts) would
 * otherwise look as if it came from the register: every client behind it would
 * share one login throttle, and the trail of use would name the register's
 * country and network. So the register states the client's address, country and
 * network in `Pryv-Client-*` headers beside the shared REGISTER_KEY, and a node
 * believes them only with that key; from anyone else they are dropped.
 */
import { getConfig } from "../config";
import type { Env } from "../env";
import { timingSafeEqualStrings } from "../shared/crypto";
import { edgeClient } from "./edge-client";

export const CLIENT_HEADERS = {
  key: "Pryv-Register-Key",
  ip: "Pryv-Client-IP",
  country: "Pryv-Client-Country",
  asn: "Pryv-Client-ASN",
  asOrganization: "Pryv-Client-AS-Organization",
} as const;

/** The headers the register adds, from the client's own request. */
export function clientHeadersOf(request: Request, registerKey: string): Record<string, string> {
  const stated = claimedClient(request);
  const out: Record<string, string> = { [CLIENT_HEADERS.key]: registerKey };
  const edgeIp = request.headers.get("CF-Connecting-IP");
  const edge = edgeClient(request, edgeIp);
  const ip = stated.ip ?? edgeIp;
  const country = stated.country ?? edge.country;
  const asn = stated.asn ?? (edge.asn !== null ? String(edge.asn) : null);
  const org = stated.asOrganization ?? edge.asOrganization;
  if (ip) out[CLIENT_HEADERS.ip] = ip;
  if (country) out[CLIENT_HEADERS.country] = country;
  if (asn) out[CLIENT_HEADERS.asn] = asn;
  if (org) out[CLIENT_HEADERS.asOrganization] = encodeURIComponent(org);
  return out;
}

/** What `Pryv-Client-*` headers claim (only ever present once `acceptForwardedClient` let them through). */
export function claimedClient(request: Request) {
  const h = request.headers;
  const asn = h.get(CLIENT_HEADERS.asn);
  const org = h.get(CLIENT_HEADERS.asOrganization);
  return {
    ip: h.get(CLIENT_HEADERS.ip),
    country: h.get(CLIENT_HEADERS.country),
    asn: asn !== null && /^\d{1,10}$/.test(asn) ? asn : null,
    asOrganization: org !== null ? safeDecode(org) : null,
  };
}

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
};

/** Keeps the `Pryv-Client-*` headers only on a request that carries this node's REGISTER_KEY; never passes the key on. */
export function acceptForwardedClient(request: Request, env: Env): Request {
  const presented = request.headers.get(CLIENT_HEADERS.key);
  const stated = Object.values(CLIENT_HEADERS).some((name) => request.headers.has(name));
  if (!stated) return request;
  let key: string | null = null;
  try {
    key = getConfig(env).register.key;
  } catch {
    // misconfiguration: the app answers 503; the headers are dropped below
  }
  const trusted = presented !== null && key !== null && timingSafeEqualStrings(presented, key);
  const headers = new Headers(request.headers);
  headers.delete(CLIENT_HEADERS.key);
  if (!trusted) for (const name of Object.values(CLIENT_HEADERS)) headers.delete(name);
  return new Request(request, { headers });
}
