/**
 * Password reset end to end through the local outbox: the request mails a
 * link (read back from `/reg/dev/outbox.json`), its token sets a new password
 * once, ends every session, and nothing about it is stored in clear.
 */
import { describe, expect, it } from "vitest";
import { BASE, expectError, get, post, TRUSTED_ORIGIN } from "../helpers/api";
import { run, userRow } from "../helpers/db";
import { createUser, login, loginToken, type TestUser } from "../helpers/users";
import { env } from "cloudflare:workers";

const NEW_PASSWORD = "a-brand-new-password";
const ENDED = "Access session has expired.";

function requestReset(user: TestUser, { appId = "test-app-id", origin = TRUSTED_ORIGIN, ip = "198.51.100.20" } = {}) {
  return post(`/${user.username}/account/request-password-reset`, { appId, username: user.username }, { headers: { Origin: origin, "CF-Connecting-IP": ip } });
}

function resetPassword(
  user: TestUser,
  resetToken: string,
  { newPassword = NEW_PASSWORD, appId = "test-app-id", origin = TRUSTED_ORIGIN, ip = "198.51.100.20" } = {},
) {
  return post(
    `/${user.username}/account/reset-password`,
    { resetToken, newPassword, appId, username: user.username },
    { headers: { Origin: origin, "CF-Connecting-IP": ip } },
  );
}

async function mailsTo(email: string) {
  const res = await get("/reg/dev/outbox.json");
  expect(res.status).toBe(200);
  return (res.body.messages as { to: string; subject: string; text: string; html?: string }[]).filter((m) => m.to === email);
}

/** The token of the newest reset mail to `user`, read from its link. */
async function mailedToken(user: TestUser): Promise<string> {
  const [newest] = await mailsTo(user.email);
  expect(newest, `no mail to ${user.email}`).toBeDefined();
  const link = new RegExp(`${BASE}/reg/auth/reset#username=${user.username}&token=([0-9a-z]{32})`).exec(newest!.text);
  expect(link, newest!.text).not.toBeNull();
  return link![1]!;
}

async function requestAndRead(user: TestUser): Promise<string> {
  const res = await requestReset(user);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return mailedToken(user);
}

async function resetRow(username: string) {
  return env.DB.prepare("SELECT r.* FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.username = ?")
    .bind(username)
    .first<Record<string, any>>();
}

async function sha256Hex(text: string) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function accountStatus(user: TestUser, token: string) {
  const res = await get(`/${user.username}/account`, { token });
  return res.status === 200 ? "ok" : res.body.error.message;
}

describe("account.requestPasswordReset and account.resetPassword", () => {
  it("mails a link whose token sets the new password, ends every session, and works once", async () => {
    const user = await createUser();
    const session = await loginToken(user, "other-app-id");

    const requested = await requestReset(user);
    expect(requested.status, JSON.stringify(requested.body)).toBe(200);
    expect(requested.body).toEqual({ meta: expect.any(Object) });
    const [mail] = await mailsTo(user.email);
    expect(mail!.subject).toMatch(/password/i);
    expect(mail!.html).toContain(`<a href="${BASE}/reg/auth/reset#username=${user.username}&amp;token=`);
    const token = await mailedToken(user);

    const reset = await resetPassword(user, token);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body).toEqual({ meta: expect.any(Object) });

    expect(await accountStatus(user, user.token)).toBe(ENDED);
    expect(await accountStatus(user, session)).toBe(ENDED);
    expectError(await login(user), 401, "invalid-credentials");
    expect((await login({ username: user.username, password: NEW_PASSWORD })).status).toBe(200);

    const again = await resetPassword(user, token, { newPassword: "yet-another-password" });
    expect(expectError(again, 401, "invalid-access-token").message).toBe("The reset token is invalid or expired");
    expect(await resetRow(user.username)).toBeNull();
  });

  it("writes the mail in the account's language", async () => {
    const user = await createUser({ language: "fr" });
    await requestAndRead(user);
    const [mail] = await mailsTo(user.email);
    expect(mail!.subject).toMatch(/mot de passe/);
    expect(mail!.text).toContain("1 heure");
  });

  it("stores only the token's SHA-256, with its expiry", async () => {
    const user = await createUser();
    const before = Date.now() / 1000;
    const token = await requestAndRead(user);
    const row = await resetRow(user.username);
    expect(row!.token_hash).toBe(await sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expires - row!.created).toBe(3600);
    expect(row!.created).toBeGreaterThanOrEqual(before - 1);
  });

  it("refuses an expired token and changes nothing", async () => {
    const user = await createUser();
    const token = await requestAndRead(user);
    await run("UPDATE password_resets SET expires = ? WHERE user_id = (SELECT id FROM users WHERE username = ?)", Date.now() / 1000 - 1, user.username);
    const userBefore = await userRow(user.username);
    expectError(await resetPassword(user, token), 401, "invalid-access-token");
    expect(await userRow(user.username)).toEqual(userBefore);
    expect(await accountStatus(user, user.token)).toBe("ok");
  });

  it("a new request replaces the previous one: the first token no longer works", async () => {
    const user = await createUser();
    const first = await requestAndRead(user);
    const second = await requestAndRead(user);
    expect(second).not.toBe(first);
    expect(await mailsTo(user.email)).toHaveLength(2);
    expectError(await resetPassword(user, first), 401, "invalid-access-token");
    expect((await resetPassword(user, second)).status).toBe(200);
  });

  it("refuses another account's token", async () => {
    const victim = await createUser();
    const attacker = await createUser();
    const attackersToken = await requestAndRead(attacker);
    expectError(await resetPassword(victim, attackersToken), 401, "invalid-access-token");
    expect((await login(victim)).status).toBe(200);
  });

  it("refuses untrusted apps and origins, for the request and the reset", async () => {
    const user = await createUser();
    expectError(await requestReset(user, { origin: "https://evil.example" }), 401, "invalid-credentials");
    expectError(await requestReset(user, { appId: "" }), 401, "invalid-credentials");
    expect(await mailsTo(user.email)).toHaveLength(0);
    expect(await resetRow(user.username)).toBeNull();

    const token = await requestAndRead(user);
    expectError(await resetPassword(user, token, { origin: "https://evil.example" }), 401, "invalid-credentials");
    expect((await login(user)).status).toBe(200);
    expect((await resetPassword(user, token)).status).toBe(200); // still live: the refused call changed nothing
  });

  it("refuses a new password against the rules and keeps the token live", async () => {
    const user = await createUser();
    const token = await requestAndRead(user);
    const before = await userRow(user.username);
    expectError(await resetPassword(user, token, { newPassword: "12345" }), 400, "invalid-parameters-format");
    expectError(await post(`/${user.username}/account/reset-password`, { resetToken: token, appId: "test-app-id" }, { headers: { Origin: TRUSTED_ORIGIN } }), 400, "invalid-parameters-format");
    expect(await userRow(user.username)).toEqual(before);
    expect(await accountStatus(user, user.token)).toBe("ok");
    expect((await resetPassword(user, token)).status).toBe(200);
  });

  it("an unknown account is unknown-resource, as for every account path", async () => {
    const res = await post("/no-such-account-here/account/request-password-reset", { appId: "test-app-id" }, { headers: { Origin: TRUSTED_ORIGIN } });
    expectError(res, 404, "unknown-resource");
  });

  it("counts wrong tokens as failed logins of the client: guessing is throttled, other clients are not", async () => {
    const user = await createUser();
    const token = await requestAndRead(user);
    const guesser = { ip: "203.0.113.77" };
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await resetPassword(user, "0".repeat(31) + i, guesser)).body.error.id);
    expect(ids).toEqual([...Array(5).fill("invalid-access-token"), "too-many-requests"]);
    expectError(await resetPassword(user, token, guesser), 429, "too-many-requests"); // even with the right token
    expectError(await post(`/${user.username}/auth/login`, { username: user.username, password: user.password, appId: "test-app-id" }, { headers: { Origin: TRUSTED_ORIGIN, "CF-Connecting-IP": guesser.ip } }), 429, "too-many-requests");
    expect((await resetPassword(user, token)).status).toBe(200); // another client
  });

  it("sends at most LOGIN_MAX_FAILURES mails per client and account in a window", async () => {
    const user = await createUser();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await requestReset(user)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(await mailsTo(user.email)).toHaveLength(5);
    expect((await requestReset(user, { ip: "198.51.100.99" })).status).toBe(200);
  });
});
