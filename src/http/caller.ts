/** Where a request came from, as the edge sees it (`request.cf` is absent in some local runs). */
import type { CallerInfo } from "../methods/method";
import { claimedClient } from "./forwarded-client";

/** A client the register forwarded is described by the register (forwarded-client.ts), else by the edge. */
export function callerInfo(request: Request): CallerInfo {
  const cf = (request as Request & { cf?: IncomingRequestCfProperties }).cf;
  const forwarded = claimedClient(request);
  return {
    host: new URL(request.url).hostname,
    origin: request.headers.get("Origin") ?? request.headers.get("Referer"),
    ip: forwarded.ip ?? request.headers.get("CF-Connecting-IP"),
    country: forwarded.country ?? (typeof cf?.country === "string" ? cf.country : null),
    asn: forwarded.asn !== null ? Number(forwarded.asn) : typeof cf?.asn === "number" ? cf.asn : null,
    asOrganization: forwarded.asOrganization ?? (typeof cf?.asOrganization === "string" ? cf.asOrganization : null),
  };
}
