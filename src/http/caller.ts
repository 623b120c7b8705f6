/** Where a request came from, as the edge sees it (`request.cf` is absent in some local runs). */
import type { CallerInfo } from "../methods/method";

export function callerInfo(request: Request): CallerInfo {
  const cf = (request as Request & { cf?: IncomingRequestCfProperties }).cf;
  return {
    host: new URL(request.url).hostname,
    origin: request.headers.get("Origin") ?? request.headers.get("Referer"),
    ip: request.headers.get("CF-Connecting-IP"),
    country: typeof cf?.country === "string" ? cf.country : null,
    asn: typeof cf?.asn === "number" ? cf.asn : null,
    asOrganization: typeof cf?.asOrganization === "string" ? cf.asOrganization : null,
  };
}
