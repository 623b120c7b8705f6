import { describe, expect, it } from "vitest";
import { endSessions } from "../../src/accesses/sessions";
import { createDb, runBatch } from "../../src/db/client";
import { expectError, get, post, put } from "../helpers/api";
import { insertAccess, userRow } from "../helpers/db";
import { createUser, login, loginToken, type TestUser } from "../helpers/users";

const NEW_PASSWORD = "brand-new-password";

function changePassword(user: TestUser, token: string, oldPassword = user.password, newPassword = NEW_PASSWORD) {
  return post(`/${user.username}/account/change-password`, { oldPassword, newPassword }, { token });
}

/** The answer a token gets on a personal-only read. */
async function accountStatus(user: TestUser, token: string) {
  const res = await get(`/${user.username}/account`, { token });
  return res.status === 200 ? "ok" : `${res.status} ${res.body.error.message}`;
}

const ENDED = "403 Access session has expired.";

describe("account.changePassword", () => {
  it("changes the password: the new one logs in, the old one no longer does", async () => {
    const user = await createUser();
    const res = await post(
      `/${user.username}/account/change-password`,
      { oldPassword: user.password, newPassword: "brand-new-password" },
      { token: user.token },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ meta: expect.any(Object) });
    expect((await login({ username: user.username, password: "brand-new-password" })).status).toBe(200);
    expectError(await login(user), 401, "invalid-credentials");
  });

  it("a wrong old password is invalid-operation and changes nothing", async () => {
    const user = await createUser();
    const before = await userRow(user.username);
    const res = await post(
      `/${user.username}/account/change-password`,
      { oldPassword: "not-the-password", newPassword: "brand-new-password" },
      { token: user.token },
    );
    expect(expectError(res, 400, "invalid-operation").message).toBe("The given password does not match.");
    expect(await userRow(user.username)).toEqual(before);
    expect((await login(user)).status).toBe(200);
  });

  it("refuses a too short or missing new password", async () => {
    const user = await createUser();
    const path = `/${user.username}/account/change-password`;
    expectError(await post(path, { oldPassword: user.password, newPassword: "12345" }, { token: user.token }), 400, "invalid-parameters-format");
    expectError(await post(path, { oldPassword: user.password }, { token: user.token }), 400, "invalid-parameters-format");
    expectError(await post(path, { oldPassword: user.password, newPassword: "abcdefgh", extra: 1 }, { token: user.token }), 400, "invalid-parameters-format");
  });
});

describe("account.changePassword and sessions", () => {
  it("ends every other personal session, keeps the caller's, and leaves app tokens alone", async () => {
    const user = await createUser(); // user.token: the registration's session
    const caller = await loginToken(user, "app-one-id");
    const other = await loginToken(user, "app-two-id");
    const app = await insertAccess(user.username, "app");
    expect((await changePassword(user, caller)).status).toBe(200);
    expect(await accountStatus(user, caller)).toBe("ok");
    expect(await accountStatus(user, user.token)).toBe(ENDED);
    expect(await accountStatus(user, other)).toBe(ENDED);
    expect((await get(`/${user.username}/streams`, { token: app })).status).toBe(200);
  });

  it("logins after the change issue new tokens, for the caller's app too", async () => {
    const user = await createUser();
    const caller = await loginToken(user, "app-one-id");
    const other = await loginToken(user, "app-two-id");
    await changePassword(user, caller);
    const changed = { ...user, password: NEW_PASSWORD };
    const otherAgain = await loginToken(changed, "app-two-id");
    const callerAgain = await loginToken(changed, "app-one-id");
    expect(otherAgain).not.toBe(other);
    expect(callerAgain).not.toBe(caller);
    expect(await accountStatus(user, otherAgain)).toBe("ok");
    expect(await accountStatus(user, callerAgain)).toBe("ok");
    // The new login replaced the app's pre-change token; a further login reuses the new one.
    expect(await accountStatus(user, caller)).toBe("403 Cannot find access from token.");
    expect(await loginToken(changed, "app-one-id")).toBe(callerAgain);
  });

  it("an ended session is not served from the account object's cache of callers", async () => {
    const user = await createUser();
    const other = await loginToken(user, "app-two-id");
    // A write caches the caller in the account's Durable Object.
    expect((await put(`/${user.username}/profile/private`, { note: "before" }, { token: other })).status).toBe(200);
    await changePassword(user, user.token);
    const res = await put(`/${user.username}/profile/private`, { note: "after" }, { token: other });
    expect(expectError(res, 403, "invalid-access-token").message).toBe("Access session has expired.");
    expectError(await post(`/${user.username}/`, [{ method: "account.get", params: {} }], { token: other }), 403, "invalid-access-token");
  });

  it("endSessions without a session to keep (the password reset) ends them all", async () => {
    const { env } = await import("cloudflare:workers");
    const user = await createUser();
    const other = await loginToken(user, "app-two-id");
    const db = createDb(env.DB);
    await runBatch(db, [endSessions(db, (await userRow(user.username))!.id, null)]);
    expect(await accountStatus(user, user.token)).toBe(ENDED);
    expect(await accountStatus(user, other)).toBe(ENDED);
    expect((await login(user, "app-two-id")).body.token).not.toBe(other);
  });
});
