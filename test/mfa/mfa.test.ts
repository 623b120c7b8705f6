import { env } from "cloudflare:workers";
import { URI } from "otpauth";
import { describe, expect, it } from "vitest";
import { runCall } from "../../src/methods/dispatch";
import { del, expectError, get, post, TEST_ADMIN_KEY } from "../helpers/api";
import { insertAccess, userRow } from "../helpers/db";
import { createUser, login } from "../helpers/users";
import { activate, nextStepCode, totpCode, userWithMfa } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function mfaRow(username: string) {
  const user = await userRow(username);
  return env.DB.prepare("SELECT * FROM mfa WHERE user_id = ?").bind(user!.id).first<Record<string, any>>();
}

/** Logs in an account with MFA: the answer is `{mfaToken}` and nothing else. */
async function mfaLogin(user: { username: string; password: string }): Promise<string> {
  const res = await login(user);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const { meta: _meta, ...rest } = res.body;
  expect(Object.keys(rest)).toEqual(["mfaToken"]);
  expect(res.body.mfaToken).toMatch(/^[a-z0-9]{32}$/);
  return res.body.mfaToken;
}

const verify = (username: string, mfaToken: string, code: unknown) =>
  post(`/${username}/mfa/verify`, { code }, { token: mfaToken });

describe("mfa.activate and mfa.confirm", () => {
  it("activate answers 302 with an mfaToken, the base32 secret and its otpauth:// URI; MFA is not on yet", async () => {
    const user = await createUser();
    const { mfaToken, secret, uri } = await activate(user);
    expect(mfaToken).toMatch(/^[a-z0-9]{32}$/);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = URI.parse(uri);
    expect(parsed.secret.base32).toBe(secret);
    expect(parsed.label).toBe(user.username);
    expect(parsed.issuer).toBeTruthy();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    // Pending: logins go on with a token, nothing is stored in D1.
    expect((await login(user)).body.token).toBeTruthy();
    expect(await mfaRow(user.username)).toBeNull();
  });

  it("activate takes a personal token: an app token is forbidden", async () => {
    const user = await createUser();
    const appToken = await insertAccess(user.username, "app");
    expectError(await post(`/${user.username}/mfa/activate`, {}, { token: appToken }), 403, "forbidden");
    expectError(await post(`/${user.username}/mfa/activate`, {}), 401, "invalid-access-token");
  });

  it("a wrong code is refused (403) and leaves MFA off; the right one answers ten recovery codes", async () => {
    const user = await createUser();
    const { mfaToken, secret } = await activate(user);
    const right = totpCode(secret);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
    expectError(await post(`/${user.username}/mfa/confirm`, { code: wrong }, { token: mfaToken }), 403, "forbidden");
    expectError(await post(`/${user.username}/mfa/confirm`, { code: "abc" }, { token: mfaToken }), 403, "forbidden");
    expectError(await post(`/${user.username}/mfa/confirm`, {}, { token: mfaToken }), 400, "invalid-parameters-format");
    expect(await mfaRow(user.username)).toBeNull();
    expect((await login(user)).body.token).toBeTruthy();

    const res = await post(`/${user.username}/mfa/confirm`, { code: right }, { token: mfaToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.recoveryCodes).toHaveLength(10);
    for (const code of res.body.recoveryCodes) expect(code).toMatch(UUID);
    // The activation session is spent.
    expectError(await post(`/${user.username}/mfa/confirm`, { code: right }, { token: mfaToken }), 401, "invalid-access-token");
  });

  it("stores the secret encrypted and the recovery codes hashed", async () => {
    const { user, secret, recoveryCodes } = await userWithMfa();
    const row = await mfaRow(user.username);
    expect(row).not.toBeNull();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(row!.secret).toMatch(/^v1\./);
    for (const code of recoveryCodes) expect(stored).not.toContain(code);
  });

  it("an unknown or missing mfaToken is invalid-access-token 401", async () => {
    const user = await createUser();
    expectError(await post(`/${user.username}/mfa/confirm`, { code: "123456" }, { token: "bogus" }), 401, "invalid-access-token");
    expectError(await post(`/${user.username}/mfa/confirm`, { code: "123456" }), 401, "invalid-access-token");
    // A personal token is no mfaToken.
    expectError(await post(`/${user.username}/mfa/confirm`, { code: "123456" }, { token: user.token }), 401, "invalid-access-token");
  });

  it("activating again while active is invalid-operation", async () => {
    const { user } = await userWithMfa();
    expectError(await post(`/${user.username}/mfa/activate`, {}, { token: user.token }), 400, "invalid-operation");
  });
});

describe("login with MFA: mfa.challenge and mfa.verify", () => {
  it("login answers {mfaToken} only; verify with a right code opens a session whose token works", async () => {
    const { user, secret } = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    // The activation's own login session lasts; the new login session is only opened by verify.
    const res = await verify(user.username, mfaToken, nextStepCode(secret));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      token: expect.stringMatching(/^[a-z0-9]{32}$/),
      apiEndpoint: `http://${res.body.token}@127.0.0.1:8787/${user.username}/`,
    });
    expect((await get(`/${user.username}/account`, { token: res.body.token })).status).toBe(200);
    // The mfaToken is spent, and it never was an access token.
    expectError(await verify(user.username, mfaToken, nextStepCode(secret)), 401, "invalid-access-token");
    expectError(await get(`/${user.username}/account`, { token: mfaToken }), 403, "invalid-access-token");
  });

  it("a code is accepted once: the confirming code, and a verifying code, are refused afterwards", async () => {
    const { user, secret, confirmCode } = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    expectError(await verify(user.username, mfaToken, confirmCode), 403, "forbidden");
    const next = nextStepCode(secret);
    expect((await verify(user.username, mfaToken, next)).status).toBe(200);
    const again = await mfaLogin(user);
    expectError(await verify(user.username, again, next), 403, "forbidden");
  });

  it("five wrong codes burn the mfaToken; new logins do not buy new tries from that client", async () => {
    const { user, secret } = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    for (let i = 0; i < 5; i++) expectError(await verify(user.username, mfaToken, "000000"), 403, "forbidden");
    expectError(await verify(user.username, mfaToken, nextStepCode(secret)), 401, "invalid-access-token");
    // The right password still answers an mfaToken, but this client must now wait to try codes.
    const fresh = await mfaLogin(user);
    const res = await verify(user.username, fresh, nextStepCode(secret));
    expectError(res, 429, "too-many-requests");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
  });

  it("challenge answers a message for a pending login, 401 for anything else", async () => {
    const { user } = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    const res = await post(`/${user.username}/mfa/challenge`, {}, { token: mfaToken });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.message).toMatch(/authenticator/);
    expectError(await post(`/${user.username}/mfa/challenge`, {}, { token: "bogus" }), 401, "invalid-access-token");
    expectError(await post(`/${user.username}/mfa/challenge`, {}), 401, "invalid-access-token");
  });

  it("an mfaToken belongs to its account", async () => {
    const { user, secret } = await userWithMfa();
    const other = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    expectError(await verify(other.user.username, mfaToken, nextStepCode(other.secret)), 401, "invalid-access-token");
    expect((await verify(user.username, mfaToken, nextStepCode(secret))).status).toBe(200);
  });

  it("the pages' path: runCall mfa.verify with the mfaToken as token", async () => {
    const { user, secret } = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    const caller = { host: "127.0.0.1:8787", origin: null, ip: "192.0.2.10", country: null, asn: null, asOrganization: null };
    const outcome = await runCall(
      env,
      { methodId: "mfa.verify", params: { code: nextStepCode(secret) }, username: user.username, token: mfaToken, caller },
      null,
      {},
    );
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    const { token } = (outcome as { result: { token: string } }).result;
    expect((await get(`/${user.username}/account`, { token })).status).toBe(200);
  });
});

describe("switching MFA off", () => {
  it("mfa.deactivate with a personal token: logins answer tokens again", async () => {
    const { user } = await userWithMfa();
    const appToken = await insertAccess(user.username, "app");
    expectError(await post(`/${user.username}/mfa/deactivate`, {}, { token: appToken }), 403, "forbidden");
    const res = await post(`/${user.username}/mfa/deactivate`, {}, { token: user.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.message).toBeTruthy();
    expect(await mfaRow(user.username)).toBeNull();
    expect((await login(user)).body.token).toBeTruthy();
  });

  it("a pending login's mfaToken opens nothing once MFA is off", async () => {
    const { user, secret } = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    await post(`/${user.username}/mfa/deactivate`, {}, { token: user.token });
    expectError(await verify(user.username, mfaToken, nextStepCode(secret)), 401, "invalid-access-token");
  });

  it("a password change since the login voids its mfaToken", async () => {
    const { user, secret } = await userWithMfa();
    const mfaToken = await mfaLogin(user);
    const changed = await post(
      `/${user.username}/account/change-password`,
      { oldPassword: user.password, newPassword: `${user.password}-new` },
      { token: user.token },
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expectError(await verify(user.username, mfaToken, nextStepCode(secret)), 401, "invalid-access-token");
  });

  it("mfa.recover with the password and a recovery code switches MFA off; the code is spent", async () => {
    const { user, recoveryCodes } = await userWithMfa();
    const body = (over: Record<string, unknown>) => ({ username: user.username, password: user.password, appId: "test-app-id", ...over });
    const recover = (over: Record<string, unknown>) => post(`/${user.username}/mfa/recover`, body(over));
    expectError(await recover({ password: "wrong-password", recoveryCode: recoveryCodes[0] }), 401, "invalid-credentials");
    expectError(await recover({ recoveryCode: "not-a-real-code" }), 400, "invalid-parameters-format");
    expectError(await recover({ recoveryCode: undefined }), 400, "invalid-parameters-format");
    expect(await mfaRow(user.username)).not.toBeNull();

    const res = await recover({ recoveryCode: recoveryCodes[3] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await login(user)).body.token).toBeTruthy();
    expectError(await recover({ recoveryCode: recoveryCodes[3] }), 400, "invalid-operation");

    // Set up again: the former codes are worth nothing.
    const { mfaToken, secret } = await activate(user);
    expect((await post(`/${user.username}/mfa/confirm`, { code: totpCode(secret) }, { token: mfaToken })).status).toBe(200);
    expectError(await recover({ recoveryCode: recoveryCodes[3] }), 400, "invalid-parameters-format");
    expectError(await recover({ recoveryCode: recoveryCodes[4] }), 400, "invalid-parameters-format");
  });

  it("the admin's DELETE /system/users/{username}/mfa answers 204", async () => {
    const { user } = await userWithMfa();
    const path = `/system/users/${user.username}/mfa`;
    expectError(await del(path), 401, "invalid-access-token");
    expectError(await del(path, { token: "wrong-admin-key-0123456789abcdef" }), 403, "forbidden");
    expectError(await del(path, { token: user.token }), 403, "forbidden");
    expectError(await del(`/system/users/nobody-here-xyz/mfa`, { token: TEST_ADMIN_KEY }), 404, "unknown-resource");
    expect(await mfaRow(user.username)).not.toBeNull();
    const res = await del(path, { token: TEST_ADMIN_KEY });
    expect(res.status).toBe(204);
    expect(res.body).toBe("");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(await mfaRow(user.username)).toBeNull();
    expect((await login(user)).body.token).toBeTruthy();
  });
});
