/** Shared by the Node-side socket tests: plain HTTP against the `wrangler dev` they run against, and accounts. */
import { expect, inject } from "vitest";

export const BASE = inject("socketBase");
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let counter = 0;

export interface User {
  username: string;
  token: string;
  apiEndpoint: string;
}

export async function http(method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

export async function createUser(prefix = "sock"): Promise<User> {
  const username = `${prefix}-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}${++counter}`;
  const res = await http("POST", "/users", null, {
    appId: "test-app-id",
    username,
    password: `${username}-password`,
    email: `${username}@example.com`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const token = /^https?:\/\/([^@]+)@/.exec(res.body.apiEndpoint)![1]!;
  return { username, token, apiEndpoint: res.body.apiEndpoint };
}
