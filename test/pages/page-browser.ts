/**
 * A minimal browser for the pages over `SELF.fetch`: it keeps cookies, sends
 * forms as a browser does (urlencoded, `Origin` of the page), follows nothing
 * by itself, and reads the CSRF token out of the last page.
 */
import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { BASE, post } from "../helpers/api";

export const AUTH = `${BASE}/reg/auth`;

export interface PageResponse {
  status: number;
  headers: Headers;
  html: string;
}

export class PageBrowser {
  readonly cookies = new Map<string, string>();
  private csrf: string | null = null;

  constructor(
    private readonly extraHeaders: Record<string, string> = {},
    /** The IP the edge would see (each test its own, so the login throttle is per test). */
    readonly ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`,
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private async send(url: string, init: Omit<RequestInit, "headers"> & { headers: Record<string, string> }): Promise<PageResponse> {
    const headers: Record<string, string> = { "CF-Connecting-IP": this.ip, ...this.extraHeaders, ...init.headers };
    if (this.cookies.size) headers.Cookie = this.cookieHeader();
    const res = await SELF.fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const html = await res.text();
    const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, headers: res.headers, html };
  }

  get(url: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    return this.send(url.startsWith("http") ? url : `${AUTH}${url}`, { method: "GET", headers });
  }

  /** Posts a form of the pages (the last page's CSRF token unless `csrf` says otherwise). */
  post(
    path: string,
    fields: Record<string, string>,
    options: { csrf?: string | null; origin?: string | null; headers?: Record<string, string> } = {},
  ): Promise<PageResponse> {
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    const body = new URLSearchParams({ ...(csrf !== null && csrf !== undefined ? { csrf } : {}), ...fields });
    const origin = options.origin === undefined ? BASE : options.origin;
    return this.send(`${AUTH}${path}`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        ...(origin !== null ? { Origin: origin } : {}),
        ...options.headers,
      },
      body: body.toString(),
    });
  }

  /** The signed-in session the pages keep in their cookie (to check what they do with it). */
  session(): { key: string; username: string; token?: string; mfaToken?: string } | null {
    const raw = this.cookies.get("pryv-pages-session");
    if (!raw) return null;
    return JSON.parse(atob(raw.replace(/-/g, "+").replace(/_/g, "/")));
  }
}

/** The page's visible text, tags dropped and entities of the pages decoded (for assertions on words). */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

export async function createAccessRequest(body: Record<string, unknown>) {
  const res = await post("/reg/access", { requestingAppId: "pages-test-app", ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { key: string; authUrl: string; poll: string };
}

/** The app's poll (raw: a REFUSED request answers 403 with a state, not an error). */
export async function pollRequest(key: string): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch(`${BASE}/reg/access/${key}`);
  return { status: res.status, body: await res.json() };
}

/** An access's permissions without those the server adds to every app access (system and audit streams). */
export const ownPermissions = (permissions: { streamId?: string }[]) => permissions.filter((p) => !p.streamId?.startsWith(":"));

/** The path-and-query of a 303 from the pages, relative to them. */
export function location(res: PageResponse): string {
  expect(res.status, res.html).toBe(303);
  return res.headers.get("Location")!;
}
