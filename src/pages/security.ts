/**
 * What protects the pages: their response headers (CSP without inline
 * script, no framing, no caching), the CSRF check of every form (a token
 * bound to a per-browser cookie, and a POST only from the pages' own origin).
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Config } from "../config";
import type { AppEnv } from "../http/app-env";
import { timingSafeEqualStrings } from "../shared/crypto";
import { newToken } from "../shared/ids";
import { registerUrl } from "../service/service-info";

/** Where the pages live, as browsers see them (the auth URL; `reg.{domain}/auth` in subdomain mode). */
export interface PageSite {
  origin: string;
  /** The pages' path (their cookies' Path). */
  path: string;
  secure: boolean;
  /** Absolute base URL of the service assets (`…/assets/`). */
  assets: string;
}

export function pageSite(config: Config): PageSite {
  const url = new URL(config.accessRequests.authUrl);
  return {
    origin: url.origin,
    path: url.pathname.replace(/\/+$/, "") || "/",
    secure: url.protocol === "https:",
    assets: `${registerUrl(config)}assets/`,
  };
}

/**
 * `formTargets`: origins a form of this page may send the browser to. Chrome
 * applies `form-action` to the redirects that follow a form's POST, so the
 * consent page names the app's `returnURL` origin (Accept and Refuse answer
 * 303 to it); every other page keeps 'self' only.
 */
export function pageHeaders(formTargets: string[] = []): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action ${["'self'", ...formTargets].join(" ")}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": csp,
    "X-Frame-Options": "DENY",
    // Not `no-referrer`: with it, browsers send `Origin: null` on the pages' own form POSTs, which the CSRF check
    // and the login's trusted-origin rule need. Other origins get no referrer (the URL holds the request key).
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Content-Type": "text/html; charset=utf-8",
  };
}

const CSRF_COOKIE = "pryv-pages-csrf";
const CSRF_MAX_AGE = 3600;

/** This browser's CSRF token, set as a cookie on first sight; forms carry it back. */
export function csrfToken(c: Context<AppEnv>, site: PageSite): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[0-9a-z]{32}$/.test(existing)) return existing;
  const token = newToken();
  setCookie(c, CSRF_COOKIE, token, {
    path: site.path,
    httpOnly: true,
    sameSite: "Strict",
    secure: site.secure,
    maxAge: CSRF_MAX_AGE,
  });
  return token;
}

/**
 * A POST is the pages' own when it comes from their origin (`Origin`, or for a
 * browser that omits it `Sec-Fetch-Site: same-origin`) and its form carries
 * this browser's token.
 */
export function isOwnFormPost(c: Context<AppEnv>, site: PageSite, formToken: string | undefined): boolean {
  const origin = c.req.header("Origin");
  const sameOrigin = origin !== undefined ? origin === site.origin : c.req.header("Sec-Fetch-Site") === "same-origin";
  const cookie = getCookie(c, CSRF_COOKIE);
  if (!sameOrigin || !cookie || !formToken) return false;
  return timingSafeEqualStrings(cookie, formToken);
}
