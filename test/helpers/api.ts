/**
 * HTTP against the real Worker (`SELF.fetch`). Every JSON answer is checked
 * for the Pryv envelope: `meta {apiVersion, serverTime, serial}` always, and
 * `{error: {id, message}}` on failure.
 */
import { SELF } from "cloudflare:test";
import { expect } from "vitest";

export const BASE = "http://127.0.0.1:8787";
/** The admin key the `api` test project configures (test/vitest.config.ts); there is no built-in one. */
export const TEST_ADMIN_KEY = "test-admin-key-0123456789abcdef";
/** An origin the local configuration trusts for login. */
export const TRUSTED_ORIGIN = "http://127.0.0.1:8787";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent raw (e.g. malformed JSON); overrides `body`. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | string[]>;
}

export function url(path: string, query?: RequestOptions["query"]): string {
  const u = new URL(path, BASE);
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) u.searchParams.append(key, String(v));
  }
  return u.toString();
}

export async function request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.Authorization = options.token;
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await SELF.fetch(url(path, options.query), { method, headers, body, redirect: "manual" });
  const text = await res.text();
  const contentType = res.headers.get("Content-Type") ?? "";
  const parsed = contentType.includes("json") && text ? (JSON.parse(text) as T) : (text as T);
  if (contentType.includes("json")) expectEnvelope(res.status, parsed);
  return { status: res.status, body: parsed, headers: res.headers };
}

/** The invariant every JSON response keeps. */
export function expectEnvelope(status: number, body: any): void {
  expect(body.meta, `meta missing in ${JSON.stringify(body)}`).toMatchObject({
    apiVersion: expect.any(String),
    serverTime: expect.any(Number),
    serial: expect.any(String),
  });
  expect(Math.abs(body.meta.serverTime - Date.now() / 1000)).toBeLessThan(60);
  // 503 `api-unavailable` is a deliberate answer (e.g. admin API disabled); 500 never is.
  expect(status, `a 500 must never reach a client: ${JSON.stringify(body)}`).not.toBe(500);
  expect(body.error?.id).not.toBe("unexpected-error");
  if (status >= 400) {
    expect(body.error, `error body expected for status ${status}`).toMatchObject({
      id: expect.any(String),
      message: expect.any(String),
    });
    expect(JSON.stringify(body.error)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
  }
}

export const get = <T = any>(path: string, options?: RequestOptions) => request<T>("GET", path, options);
export const post = <T = any>(path: string, body?: unknown, options: RequestOptions = {}) =>
  request<T>("POST", path, { ...options, body });
export const put = <T = any>(path: string, body?: unknown, options: RequestOptions = {}) =>
  request<T>("PUT", path, { ...options, body });
export const del = <T = any>(path: string, options?: RequestOptions) => request<T>("DELETE", path, options);

/** Asserts a Pryv error response and returns its `error`. */
export function expectError(res: ApiResponse, status: number, id: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.id, JSON.stringify(res.body)).toBe(id);
  return res.body.error as { id: string; message: string; data?: any };
}
