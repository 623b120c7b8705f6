/** The URLs of an access request: the page the person opens, and the one the app polls. */
import type { Config } from "../config";
import { errors } from "../errors";
import { registerUrl } from "../service/service-info";

export function pollUrl(config: Config, key: string): string {
  return `${registerUrl(config)}access/${key}`;
}

/**
 * The page the person opens: ours, or the app's own if it names one the
 * operator trusts (an open passthrough on this unauthenticated call would be
 * a phishing vector, so an untrusted one is refused, not ignored). A trusted
 * page is judged by its origin and path; its query is free. URLs carrying
 * credentials are refused.
 */
export function authPageBase(config: Config, requested: string | null): string {
  if (requested === null) return config.accessRequests.authUrl;
  if (!isTrustedAuthPage(config, requested)) {
    throw errors.invalidParameters("authUrl does not match any of this service's trusted auth URLs (trustedAuthUrls)");
  }
  return requested;
}

function isTrustedAuthPage(config: Config, candidate: string): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (!/^https?:$/.test(url.protocol) || url.username !== "" || url.password !== "") return false;
  const page = `${url.origin}${url.pathname}`;
  return config.accessRequests.trustedAuthUrls.some((pattern) => pattern.test(page));
}

export interface AuthPageFields {
  key: string;
  requestingAppId: string;
  languageCode: string | null;
  returnURL: string | null;
  oauthState: string | null;
}

/**
 * `base` with what an auth page needs to start (the reference's parameters,
 * which app-web-auth3 reads: `key`, `poll`, `lang`, `oauthState`…). Nothing
 * secret: the page reads the rest from `poll`. Set, not appended, so a
 * trusted page URL cannot carry another request's key.
 */
export function authPageUrl(config: Config, base: string, fields: AuthPageFields): string {
  const url = new URL(base);
  const params: [string, string | null][] = [
    ["lang", fields.languageCode ?? "en"],
    ["key", fields.key],
    ["requestingAppId", fields.requestingAppId],
    ["poll", pollUrl(config, fields.key)],
    ["poll_rate_ms", String(config.accessRequests.pollRateMs)],
    ["serviceInfo", `${registerUrl(config)}service/info`],
    ["returnURL", fields.returnURL],
    ["oauthState", fields.oauthState],
  ];
  for (const [name, value] of params) if (value !== null) url.searchParams.set(name, value);
  return url.href;
}
