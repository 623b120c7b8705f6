/** Tokens shared with others, and the account layout the leak tests (hardening items 4 and 5) share. */
import { expect } from "vitest";
import { post } from "./api";
import { createStream } from "./data";
import type { TestUser } from "./users";

/** A shared access with these permissions (created by the personal token); returns its token. */
export function shareToken(user: TestUser, permissions: Record<string, unknown>[], name = `share-${crypto.randomUUID().slice(0, 8)}`) {
  return accessToken(user, "shared", permissions, name);
}

/** An access of `type` with these permissions (created by the personal token); returns its token. */
export async function accessToken(
  user: TestUser,
  type: "shared" | "app",
  permissions: Record<string, unknown>[],
  name = `${type}-${crypto.randomUUID().slice(0, 8)}`,
) {
  const res = await post(`/${user.username}/accesses`, { name, type, permissions }, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.access.token as string;
}

/** Roots `health` and `secret` (streams made from names: their ids are the slugged names). */
export async function healthAndSecret(user: TestUser) {
  await createStream(user, { name: "Health" });
  await createStream(user, { name: "Secret" });
}
