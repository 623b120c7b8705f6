/** Creating accounts and sessions for tests (the only place tests do it). */
import { expect } from "vitest";
import { post, TRUSTED_ORIGIN } from "./api";

let counter = 0;

/** A username no other test uses (tests share one database). */
export function uniqueUsername(prefix = "user"): string {
  counter += 1;
  const random = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
  return `${prefix}-${random}${counter}`.toLowerCase().slice(0, 60);
}

export interface TestUser {
  username: string;
  password: string;
  email: string;
  appId: string;
  /** The personal token created at registration. */
  token: string;
  apiEndpoint: string;
}

export function registrationBody(overrides: Record<string, unknown> = {}) {
  const username = (overrides.username as string | undefined) ?? uniqueUsername();
  return {
    appId: "test-app-id",
    username,
    password: `${username}-password`,
    email: `${username}@example.com`,
    ...overrides,
  };
}

const created: TestUser[] = [];

/** The accounts this test file created (module state is per file). */
export const createdUsers = (): readonly TestUser[] => created;

export async function createUser(overrides: Record<string, unknown> = {}): Promise<TestUser> {
  const body = registrationBody(overrides);
  const res = await post("/users", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const token = /^https?:\/\/([^@]+)@/.exec(res.body.apiEndpoint)?.[1];
  expect(token).toBeTruthy();
  const user = { ...body, token: token!, apiEndpoint: res.body.apiEndpoint } as TestUser;
  created.push(user);
  return user;
}

export async function login(user: Pick<TestUser, "username" | "password">, appId = "test-app-id", origin = TRUSTED_ORIGIN) {
  return post(`/${user.username}/auth/login`, { username: user.username, password: user.password, appId }, { headers: { Origin: origin } });
}

/** Logs in and returns the personal token. */
export async function loginToken(user: Pick<TestUser, "username" | "password">, appId = "test-app-id"): Promise<string> {
  const res = await login(user, appId);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.token as string;
}
