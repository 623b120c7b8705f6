/**
 * Password guessing is slowed down per client, never for the whole account:
 * an attacker hammering from one address cannot lock the owner out.
 */
import { describe, expect, it } from "vitest";
import { expectError, get, post, TRUSTED_ORIGIN } from "../helpers/api";
import { createUser, loginToken, type TestUser } from "../helpers/users";

const ATTACKER = "203.0.113.66";
const OWNER = "198.51.100.7";

function loginFrom(ip: string, user: TestUser, password: string) {
  const body = { username: user.username, password, appId: "test-app-id" };
  return post(`/${user.username}/auth/login`, body, { headers: { Origin: TRUSTED_ORIGIN, "CF-Connecting-IP": ip } });
}

function changePasswordFrom(ip: string, user: TestUser, token: string, oldPassword: string, newPassword: string) {
  return post(`/${user.username}/account/change-password`, { oldPassword, newPassword }, { token, headers: { "CF-Connecting-IP": ip } });
}

function batchFrom(ip: string, user: TestUser, token: string, calls: { method: string; params: unknown }[]) {
  return post(`/${user.username}/`, calls, { token, headers: { Origin: TRUSTED_ORIGIN, "CF-Connecting-IP": ip } });
}

describe("login throttling", () => {
  it("slows the attacker's client down while the owner logs in and changes the password", async () => {
    const user = await createUser();
    const session = await loginToken(user, "owner-app-id");
    const attack = Promise.all(Array.from({ length: 8 }, () => loginFrom(ATTACKER, user, "guess")));
    const ownerLogin = loginFrom(OWNER, user, user.password);
    const [attempts, owner] = await Promise.all([attack, ownerLogin]);

    expect(owner.status, JSON.stringify(owner.body)).toBe(200);
    expect(attempts.filter((r) => r.status === 401)).toHaveLength(5); // as many tries as before, no more
    const throttled = attempts.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(3);
    for (const res of throttled) {
      expectError(res, 429, "too-many-requests");
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(res.body.error.data.retryAfter).toBeGreaterThan(0);
    }

    // A valid session changes the password, even from the attacker's address.
    const changed = await changePasswordFrom(ATTACKER, user, session, user.password, "owner-new-password");
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    // The throttled client is refused even with the right password; the owner's is not.
    expectError(await loginFrom(ATTACKER, user, "owner-new-password"), 429, "too-many-requests");
    expect((await loginFrom(OWNER, user, "owner-new-password")).status).toBe(200);
  });

  it("counts every login of a batch", async () => {
    const user = await createUser();
    const calls = Array.from({ length: 8 }, () => ({
      method: "auth.login",
      params: { username: user.username, password: "guess", appId: "test-app-id" },
    }));
    const res = await batchFrom(ATTACKER, user, user.token, calls);
    expect(res.status).toBe(200);
    const ids = res.body.results.map((r: any) => r.error?.id);
    expect(ids).toEqual([...Array(5).fill("invalid-credentials"), ...Array(3).fill("too-many-requests")]);
    expect((await loginFrom(OWNER, user, user.password)).status).toBe(200);
  });

  it("counts wrong old passwords against that session only, batches included", async () => {
    const user = await createUser();
    const stolen = await loginToken(user, "stolen-app-id");
    const calls = Array.from({ length: 7 }, (_, i) => ({
      method: "account.changePassword",
      params: { oldPassword: `guess-${i}`, newPassword: "attacker-password" },
    }));
    const ids = (await batchFrom(ATTACKER, user, stolen, calls)).body.results.map((r: any) => r.error?.id);
    expect(ids).toEqual([...Array(5).fill("invalid-operation"), ...Array(2).fill("too-many-requests")]);
    expectError(await changePasswordFrom(ATTACKER, user, stolen, user.password, "attacker-password"), 429, "too-many-requests");
    // The owner's own session, from the same address, and logins are not slowed down.
    expect((await changePasswordFrom(ATTACKER, user, user.token, user.password, "owner-new-password")).status).toBe(200);
    expect((await loginFrom(ATTACKER, user, "owner-new-password")).status).toBe(200);
  });

  it("a client without an address is one client", async () => {
    const user = await createUser();
    const guess = () => post(`/${user.username}/auth/login`, { username: user.username, password: "guess", appId: "test-app-id" }, { headers: { Origin: TRUSTED_ORIGIN } });
    for (let i = 0; i < 5; i++) expectError(await guess(), 401, "invalid-credentials");
    expectError(await guess(), 429, "too-many-requests");
    expect((await get(`/${user.username}/account`, { token: user.token })).status).toBe(200);
    expect((await loginFrom(OWNER, user, user.password)).status).toBe(200);
  });
});
