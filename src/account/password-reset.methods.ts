/**
 * Password reset (trusted apps only, no token): `account.requestPasswordReset`
 * mails a one-time reset link, `account.resetPassword` sets a new password with
 * its token. Both run in the account's Durable Object.
 *
 * What the answers reveal: an unknown account is `unknown-resource` 404 before
 * anything runs (the path names it, as in the reference); for an existing one
 * the request always answers `{}`, whether a mail could be sent or not
 * (failures are logged, ids only).
 *
 * Throttling, per client in the account's login guard: a wrong or expired
 * token counts as a failed login of the caller's address (the same allowance:
 * tokens cannot be guessed through here instead), and each request counts
 * under its own key, so one address sends at most LOGIN_MAX_FAILURES mails per
 * LOGIN_LOCK_SECONDS to an account's owner.
 */
import { z } from "zod";
import { addressClient } from "../auth/login-clients";
import { assertTrustedApp } from "../auth/trusted-apps";
import { runBatch } from "../db/client";
import { errors } from "../errors";
import { sendMail } from "../mail/mail-sender";
import { defineMethod, PUBLIC, type MethodContext } from "../methods/method";
import { newToken } from "../shared/ids";
import { LIMITS } from "../shared/limits";
import { logFailure } from "../shared/log";
import { nowSeconds } from "../shared/time";
import { setPasswordStatements } from "./account.methods";
import { changePasswordParams } from "./account.schema";
import { resetMail } from "./password-reset.mail";
import { deleteResetRequest, hashResetToken, isLiveResetToken, replaceResetRequest } from "./password-reset.store";
import { emptyResult } from "../methods/result-parts";

const text = z.string().max(LIMITS.shortText);

/** The Durable Object's part of the context (both methods write). */
function inAccountObject(ctx: MethodContext) {
  if (!ctx.user || !ctx.writer) throw new Error("password reset runs in the account's Durable Object");
  return { ...ctx, user: ctx.user, writer: ctx.writer };
}

const mailClient = (ip: string | null) => `reset-mail:${addressClient(ip)}`;

const requestPasswordReset = defineMethod({
  id: "account.requestPasswordReset",
  result: emptyResult,
  scope: "account",
  // Not strict: the auth web app also sends `username`.
  params: z.object({ appId: text }),
  permission: PUBLIC,
  writes: true,
  handler: async (context, p) => {
    const { db, env, config, user, caller, writer } = inAccountObject(context);
    assertTrustedApp(config, p.appId, caller.origin);
    const client = mailClient(caller.ip);
    writer.loginGuard.assertAllowed(client);
    writer.loginGuard.recordFailure(client);
    const token = newToken();
    const stamp = await writer.stamp();
    const expires = stamp.time + config.passwordReset.ttlSeconds;
    await runBatch(db, [replaceResetRequest(db, user.id, await hashResetToken(token), stamp.time, expires)]);
    try {
      if (user.email) await sendMail(env, config, await resetMail(config, user, token));
    } catch (err) {
      logFailure("mail", err, "account.requestPasswordReset");
    }
    return {};
  },
});

const resetPassword = defineMethod({
  id: "account.resetPassword",
  result: emptyResult,
  scope: "account",
  params: z.object({ appId: text, resetToken: text, newPassword: changePasswordParams.shape.newPassword }),
  permission: PUBLIC,
  writes: true,
  handler: async (context, p) => {
    const ctx = inAccountObject(context);
    const { db, config, user, caller, writer } = ctx;
    assertTrustedApp(config, p.appId, caller.origin);
    const client = addressClient(caller.ip);
    writer.loginGuard.assertAllowed(client);
    if (!(await isLiveResetToken(db, user.id, p.resetToken, nowSeconds()))) {
      writer.loginGuard.recordFailure(client);
      throw errors.invalidAccessToken("The reset token is invalid or expired");
    }
    writer.loginGuard.forgive(client);
    // Every session ends (none proved anything); the token is burnt in the same transaction.
    await runBatch(db, [...(await setPasswordStatements(ctx, p.newPassword, null)), deleteResetRequest(db, user.id)]);
    return {};
  },
});

export const passwordResetMethods = [requestPasswordReset, resetPassword];
