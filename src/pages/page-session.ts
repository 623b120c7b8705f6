/**
 * Between the steps of one access request (sign in → MFA → consent), the
 * person's token lives in a short-lived HttpOnly, SameSite=Strict cookie on
 * the pages' path, never in a URL or the HTML. It names the request it was
 * opened for, and is cleared once the request is answered.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppEnv } from "../http/app-env";
import type { PageSite } from "./security";

const SESSION_COOKIE = "pryv-pages-session";
const SESSION_MAX_AGE = 600;

const sessionSchema = z.strictObject({
  key: z.string().max(64),
  username: z.string().min(1).max(100),
  /** The personal token once signed in; the MFA token while the code is still due. */
  token: z.string().min(1).max(256).optional(),
  mfaToken: z.string().min(1).max(512).optional(),
});
export type PageSession = z.output<typeof sessionSchema>;

const toBase64Url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}

/** The session opened for request `key`, if this browser holds one. */
export function readSession(c: Context<AppEnv>, key: string): PageSession | null {
  const raw = getCookie(c, SESSION_COOKIE);
  if (!raw || raw.length > 2048) return null;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(fromBase64Url(raw)));
    return parsed.success && parsed.data.key === key ? parsed.data : null;
  } catch {
    return null; // not ours: as if absent
  }
}

export function writeSession(c: Context<AppEnv>, site: PageSite, session: PageSession): void {
  setCookie(c, SESSION_COOKIE, toBase64Url(JSON.stringify(session)), {
    path: site.path,
    httpOnly: true,
    sameSite: "Strict",
    secure: site.secure,
    maxAge: SESSION_MAX_AGE,
  });
}

export function clearSession(c: Context<AppEnv>, site: PageSite): void {
  deleteCookie(c, SESSION_COOKIE, { path: site.path, secure: site.secure, httpOnly: true, sameSite: "Strict" });
}
