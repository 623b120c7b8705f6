/**
 * The country and network the edge saw a client's address in, from
 * `request.cf`, kept per isolate by address. Reading `request.cf` builds the
 * whole object (dozens of fields) on every request — about 4 % of an
 * events.get's CPU in the bench's profile (issue 13) — while an address's
 * country and network do not change from one call to the next. Kept for
 * EDGE_INFO_TTL_MS at most, for the MAX_ADDRESSES latest addresses. The
 * address is the edge's own `CF-Connecting-IP` (Cloudflare sets it, whatever
 * the client sent); without one, `request.cf` is read every time.
 */
export interface EdgeClient {
  country: string | null;
  asn: number | null;
  asOrganization: string | null;
}

const EDGE_INFO_TTL_MS = 10 * 60_000;
const MAX_ADDRESSES = 10_000;

const byAddress = new Map<string, { info: EdgeClient; until: number }>();

function readCf(request: Request): EdgeClient {
  const cf = (request as Request & { cf?: IncomingRequestCfProperties }).cf;
  return {
    country: typeof cf?.country === "string" ? cf.country : null,
    asn: typeof cf?.asn === "number" ? cf.asn : null,
    asOrganization: typeof cf?.asOrganization === "string" ? cf.asOrganization : null,
  };
}

/** The edge's view of the client at `ip` (the request's `CF-Connecting-IP`). */
export function edgeClient(request: Request, ip: string | null): EdgeClient {
  if (ip === null) return readCf(request);
  const now = Date.now();
  const kept = byAddress.get(ip);
  if (kept && kept.until > now) return kept.info;
  const info = readCf(request);
  byAddress.delete(ip);
  // A Map iterates in insertion order: the first key is the oldest entry.
  if (byAddress.size >= MAX_ADDRESSES) byAddress.delete(byAddress.keys().next().value!);
  byAddress.set(ip, { info, until: now + EDGE_INFO_TTL_MS });
  return info;
}
