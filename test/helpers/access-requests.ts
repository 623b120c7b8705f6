/** Access requests (`/reg/access`) for tests: calls, their state answers, and what KV holds. */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { expectEnvelope, post, url, type ApiResponse } from "./api";
import type { TestUser } from "./users";

export const DIARY_READ = [{ streamId: "diary", level: "read", defaultName: "Diary" }];

export const askBody = (overrides: Record<string, unknown> = {}) => ({
  requestingAppId: "consent-test-app",
  requestedPermissions: DIARY_READ,
  ...overrides,
});

/**
 * A call whose answer may be a request's state with a 4xx/3xx status (REFUSED
 * and ERROR are 403, REDIRECTED 301, without an `error`): the envelope is
 * checked as `request()` does, the error part only when the body has no `status`.
 */
export async function stateCall(method: "GET" | "POST", path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const res = await SELF.fetch(url(path), {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  const parsed = (await res.json()) as any;
  if (typeof parsed.status === "string") expectEnvelope(200, parsed);
  else expectEnvelope(res.status, parsed);
  return { status: res.status, body: parsed, headers: res.headers };
}

export const poll = (key: string) => stateCall("GET", `/reg/access/${key}`);
export const settle = (key: string, body: unknown) => stateCall("POST", `/reg/access/${key}`, body);

/** Creates a request; returns the 201 answer's body. */
export async function createAccessRequest(overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const res = await post("/reg/access", askBody(overrides), { headers });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { status: string; key: string; authUrl: string; poll: string; poll_rate_ms: number };
}

/** The access-request keys KV holds now, with their expiration (epoch seconds). */
export async function storedRequests(): Promise<Map<string, number | undefined>> {
  const listed = await env.KV.list({ prefix: "access-request:" });
  return new Map(listed.keys.map((k) => [k.name, k.expiration]));
}

/** The stored entry's raw JSON text. */
export const storedText = (key: string) => env.KV.get(`access-request:${key}`);

/** What the person's consent creates: an app access named after the app (through the API, with the personal token). */
export async function createAppAccess(user: TestUser, appId: string, permissions: unknown[] = DIARY_READ): Promise<{ id: string; token: string }> {
  const res = await post(`/${user.username}/accesses`, { name: appId, type: "app", permissions }, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.access;
}
