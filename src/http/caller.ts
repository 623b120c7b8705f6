/** Where a request came from, as the edge sees it (`request.cf` is absent in some local runs). */
import type { CallerInfo } from "../methods/method";
import { edgeClient } from "./edge-client";
import { claimedClient } from "./forwarded-client";

/** A client the register forwarded is described by the register (forwarded-client.ts), else by the edge. */
export function callerInfo(request: Request): CallerInfo {
  const forwarded = claimedClient(request);
  const edgeIp = request.headers.get("CF-Connecting-IP");
  // What the register stated wins; the edge is asked only for what it left out.
  const edge = forwarded.country !== null && forwarded.asn !== null && forwarded.asOrganization !== null ? null : edgeClient(request, edgeIp);
  return {
    host: new URL(request.url).hostname,
    origin: request.headers.get("Origin") ?? request.headers.get("Referer"),
    ip: forwarded.ip ?? edgeIp,
    country: forwarded.country ?? edge?.country ?? null,
    asn: forwarded.asn !== null ? Number(forwarded.asn) : (edge?.asn ?? null),
    asOrganization: forwarded.asOrganization ?? edge?.asOrganization ?? null,
  };
}
