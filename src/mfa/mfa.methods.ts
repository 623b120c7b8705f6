/**
 * MFA with TOTP (RFC 6238), following the reference's flow, ids and statuses:
 * mfa.activate (personal token) → `{mfaToken, secret, uri}`; mfa.confirm
 * `{code}` → `{recoveryCodes}` (MFA is on from then); auth.login then answers
 * `{mfaToken}`, and mfa.verify `{code}` opens the session → `{token, apiEndpoint}`.
 * The mfaToken travels in `Authorization` (ctx.token). mfa.deactivate (personal
 * token), mfa.recover (password + a recovery code) and the admin's
 * system.deactivateMfa switch it off.
 *
 * Guessing codes is bounded twice: a session is burnt after MAX_CODE_FAILURES
 * wrong codes, and every wrong code counts in the account's login guard for
 * the client's address under an `mfa:` key, which only a right code clears —
 * a right password does not, so new logins do not buy new tries.
 */
import type { AccountWriter } from "../account-do/account-writer";
import type { UserRecord } from "../account/account.store";
import { addressClient } from "../auth/login-clients";
import { assertCredentials, openLoginSession } from "../auth/login-session";
import { errors, invalidParams } from "../errors";
import { ADMIN, defineMethod, PERSONAL_ONLY, PUBLIC, type MethodContext } from "../methods/method";
import { sha256Hex, timingSafeEqualStrings } from "../shared/crypto";
import { mfaConfigured, openSecret, sealSecret } from "./mfa-crypto";
import type { MfaSession } from "./mfa-sessions";
import { activateParams, codeParams, noParams, recoverParams, activateResult, confirmResult, verifyResult } from "./mfa.schema";
import { acceptStep, deleteMfa, findActiveMfa, insertActiveMfa } from "./mfa.store";
import { matchingStep, newTotpSecret, setupUri } from "./totp";
import { messageResult, emptyResult } from "../methods/result-parts";

/** As the reference: ten UUID v4 (122 random bits each). */
const RECOVERY_CODES = 10;
const DEACTIVATED = { message: "MFA deactivated." };

const mfaClient = (ip: string | null) => `mfa:${addressClient(ip)}`;

function inAccount(ctx: MethodContext): { user: UserRecord; writer: AccountWriter } {
  if (!ctx.user || !ctx.writer) throw new Error("mfa methods run in the account's Durable Object");
  return { user: ctx.user, writer: ctx.writer };
}

/** The pending session the call's mfaToken names; `invalid-access-token` 401 otherwise (as the reference). */
async function sessionOf<K extends MfaSession["kind"]>(ctx: MethodContext, kind?: K) {
  const { user, writer } = inAccount(ctx);
  const session = await writer.mfaSessions.find(ctx.token, user.id, kind);
  if (!session) throw errors.invalidAccessToken("Invalid or expired MFA session token.");
  return session as Extract<MfaSession, { kind: K }>;
}

/**
 * The time step of `code` for this secret if it is right and newer than `notBefore`;
 * a wrong one burns a try of the session and of the client.
 */
async function checkCode(ctx: MethodContext, secret: string, code: string, notBefore: number): Promise<number> {
  const { writer } = inAccount(ctx);
  const client = mfaClient(ctx.caller.ip);
  writer.loginGuard.assertAllowed(client);
  const step = matchingStep(secret, code, Date.now());
  if (step === null || step <= notBefore) {
    writer.loginGuard.recordFailure(client);
    await writer.mfaSessions.recordFailure(ctx.token!);
    throw errors.forbidden("The MFA code is invalid, expired or already used.");
  }
  writer.loginGuard.forgive(client);
  return step;
}

const activate = defineMethod({
  id: "mfa.activate",
  result: activateResult,
  scope: "account",
  params: activateParams,
  permission: PERSONAL_ONLY,
  writes: true,
  // The reference answers 302 (with no Location); clients read the body.
  status: 302,
  handler: async (ctx) => {
    const { user, writer } = inAccount(ctx);
    if (!mfaConfigured(ctx.config)) throw errors.apiUnavailable("MFA is not enabled on this server.");
    if (await findActiveMfa(ctx.db, user.id)) {
      throw errors.invalidOperation("MFA is already active for this account: deactivate it first.");
    }
    const secret = newTotpSecret();
    const sealedSecret = await sealSecret(ctx.config, user.id, secret);
    const mfaToken = await writer.mfaSessions.open({ kind: "activation", userId: user.id, sealedSecret });
    return { mfaToken, secret, uri: setupUri(secret, ctx.config.service.name, user.username) };
  },
});

const confirm = defineMethod({
  id: "mfa.confirm",
  result: confirmResult,
  scope: "account",
  params: codeParams,
  permission: PUBLIC,
  writes: true,
  handler: async (ctx, { code }) => {
    const { user, writer } = inAccount(ctx);
    const session = await sessionOf(ctx, "activation");
    if (await findActiveMfa(ctx.db, user.id)) throw errors.invalidOperation("MFA is already active for this account.");
    const step = await checkCode(ctx, await openSecret(ctx.config, user.id, session.sealedSecret), code, -1);
    const recoveryCodes = Array.from({ length: RECOVERY_CODES }, () => crypto.randomUUID());
    await insertActiveMfa(ctx.db, {
      userId: user.id,
      secret: session.sealedSecret,
      recoveryCodeHashes: await Promise.all(recoveryCodes.map(sha256Hex)),
      lastStep: step,
      activated: Date.now() / 1000,
    });
    await writer.mfaSessions.close(ctx.token!);
    return { recoveryCodes };
  },
});

const challenge = defineMethod({
  id: "mfa.challenge",
  result: messageResult,
  scope: "account",
  params: noParams,
  permission: PUBLIC,
  writes: true,
  handler: async (ctx) => {
    await sessionOf(ctx);
    // TOTP: nothing to send, the code is in the user's app.
    return { message: "Please enter the code shown by your authenticator app." };
  },
});

const verify = defineMethod({
  id: "mfa.verify",
  result: verifyResult,
  scope: "account",
  params: codeParams,
  permission: PUBLIC,
  writes: true,
  handler: async (ctx, { code }) => {
    const { user, writer } = inAccount(ctx);
    const session = await sessionOf(ctx, "login");
    const active = await findActiveMfa(ctx.db, user.id);
    if (!active || session.passwordSet !== user.passwordSet) {
      // MFA deactivated, or the password changed, since the login: log in again.
      await writer.mfaSessions.close(ctx.token!);
      throw errors.invalidAccessToken("Invalid or expired MFA session token.");
    }
    const step = await checkCode(ctx, await openSecret(ctx.config, user.id, active.secret), code, active.lastStep);
    if (!(await acceptStep(ctx.db, user.id, step))) throw errors.forbidden("The MFA code was already used.");
    await writer.mfaSessions.close(ctx.token!);
    const { token, apiEndpoint } = await openLoginSession({ db: ctx.db, config: ctx.config, user, writer }, session.appId);
    return { token, apiEndpoint };
  },
});

const deactivate = defineMethod({
  id: "mfa.deactivate",
  result: messageResult,
  scope: "account",
  params: noParams,
  permission: PERSONAL_ONLY,
  writes: true,
  handler: async (ctx) => {
    await deleteMfa(ctx.db, inAccount(ctx).user.id);
    return DEACTIVATED;
  },
});

const recover = defineMethod({
  id: "mfa.recover",
  result: messageResult,
  scope: "account",
  params: recoverParams,
  permission: PUBLIC,
  writes: true,
  handler: async (ctx, p) => {
    const { user, writer } = inAccount(ctx);
    await assertCredentials({ user, caller: ctx.caller, writer }, p.username, p.password);
    const active = await findActiveMfa(ctx.db, user.id);
    if (!active) throw errors.invalidOperation("MFA is not active for this user.");
    const client = mfaClient(ctx.caller.ip);
    writer.loginGuard.assertAllowed(client);
    const hash = await sha256Hex(p.recoveryCode);
    // Every stored hash is compared (no early exit): the time says nothing about which matched.
    const matches = active.recoveryCodeHashes.filter((stored) => timingSafeEqualStrings(stored, hash)).length;
    if (!matches) {
      writer.loginGuard.recordFailure(client);
      throw invalidParams([{ code: "invalid_recovery_code", message: "Invalid recovery code.", path: "#/recoveryCode", param: "recoveryCode" }]);
    }
    writer.loginGuard.forgive(client);
    // As the reference, recovering switches MFA off: this code and all others are gone with the row.
    await deleteMfa(ctx.db, user.id);
    return DEACTIVATED;
  },
});

/** `DELETE /system/users/{username}/mfa` (admin key): the operator switches an account's MFA off. */
const systemDeactivate = defineMethod({
  id: "system.deactivateMfa",
  result: emptyResult,
  scope: "account",
  params: noParams,
  permission: ADMIN,
  writes: true,
  status: 204,
  handler: async (ctx) => {
    await deleteMfa(ctx.db, inAccount(ctx).user.id);
    return {};
  },
});

export const mfaMethods = [activate, confirm, challenge, verify, deactivate, recover, systemDeactivate];
