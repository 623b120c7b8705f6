import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import type { CallerInfo } from "../../src/methods/method";
import { isAdminKey } from "../../src/permissions";
import { expectError, get, post, TEST_ADMIN_KEY } from "../helpers/api";
import { createUser } from "../helpers/users";

const ADMIN_KEY = TEST_ADMIN_KEY;
const ADMIN = { headers: { Authorization: ADMIN_KEY } };

describe("admin API (local mode, ADMIN_KEY set)", () => {
  it("lists and reads users without secrets", async () => {
    const user = await createUser();
    const one = await get(`/reg/admin/users/${user.username}`, ADMIN);
    expect(one.status).toBe(200);
    expect(one.body.user).toMatchObject({ username: user.username, email: user.email, core: "local" });
    expect(JSON.stringify(one.body)).not.toMatch(/pbkdf2|password/);
    const list = await get("/reg/admin/users", { ...ADMIN, query: { limit: 1000 } });
    expect(list.body.users.map((u: { username: string }) => u.username)).toContain(user.username);
    expectError(await get("/reg/admin/users/no-such-user-a1", ADMIN), 404, "unknown-resource");
  });

  // Invitations: test/register/invitations.test.ts (generating them gates the registrations of the file after).

  it("refuses a missing or wrong key", async () => {
    expectError(await get("/reg/admin/users"), 401, "invalid-access-token");
    expectError(await get("/reg/admin/users", { headers: { Authorization: "dev-admin-kez" } }), 403, "forbidden");
  });

  it("the key works from any host: it is the only gate", async () => {
    const res = await SELF.fetch("http://pryv.example.org/reg/admin/users", ADMIN);
    expect(res.status).toBe(200);
  });
  // Forged loopback headers on a local node without ADMIN_KEY: test/config/local-keyless.test.ts.
});

describe("admin key rules", () => {
  const loopback: CallerInfo = { host: "localhost", origin: null, ip: "127.0.0.1", country: null, asn: null, asOrganization: null };
  const configWith = (vars: Partial<Env>) => parseConfig({ ENVIRONMENT: "local", ...vars } as Env);

  it("local mode has no built-in key: without ADMIN_KEY the admin API is disabled", () => {
    expect(configWith({}).adminKey).toBeNull();
    expect(isAdminKey(configWith({}), "dev-admin-key", loopback)).toBe(false);
  });

  it.each(["local", "production"])("a key shorter than 24 characters is refused (%s mode)", (ENVIRONMENT) => {
    expect(isAdminKey(configWith({ ENVIRONMENT, ADMIN_KEY: "dev-admin-key" }), "dev-admin-key", loopback)).toBe(false);
    expect(isAdminKey(configWith({ ENVIRONMENT, ADMIN_KEY: ADMIN_KEY }), ADMIN_KEY, loopback)).toBe(true);
  });
});
