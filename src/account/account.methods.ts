/** The account: its editable fields and its password (personal tokens only). */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { endSessions } from "../accesses/sessions";
import { sessionClient } from "../auth/login-clients";
import { runBatch, type Db, type Statement } from "../db/client";
import { users } from "../db/schema";
import { errors } from "../errors";
import { defineMethod, PERSONAL_ONLY, type MethodContext } from "../methods/method";
import { hashPassword, verifyPassword } from "../shared/crypto";
import { applyAccountChanges } from "./account-changes";
import { storageUsed, type UserRecord } from "./account.store";
import { accountUpdateParams, changePasswordParams, accountResultBody, type Account } from "./account.schema";
import { assertPasswordComplexity } from "./password-rules";
import { emptyResult } from "../methods/result-parts";

async function accountOf(db: Db, user: UserRecord): Promise<Account> {
  return {
    username: user.username,
    email: user.email,
    language: user.language,
    storageUsed: await storageUsed(db, user.id),
  };
}

const get = defineMethod({
  id: "account.get",
  result: accountResultBody,
  scope: "account",
  params: z.object({}).loose(),
  permission: PERSONAL_ONLY,
  writes: false,
  handler: async ({ db, user }) => ({ account: await accountOf(db, user!) }),
});

const update = defineMethod({
  id: "account.update",
  result: accountResultBody,
  scope: "account",
  params: accountUpdateParams,
  permission: PERSONAL_ONLY,
  writes: true,
  handler: async (ctx, { update: changes }) => ({
    account: await accountOf(ctx.db, await applyAccountChanges(ctx, changes)),
  }),
});

const changePassword = defineMethod({
  id: "account.changePassword",
  result: emptyResult,
  scope: "account",
  params: changePasswordParams,
  permission: PERSONAL_ONLY,
  writes: true,
  handler: async ({ db, config, user, access, writer }, p) => {
    // A stolen personal token must not become a password oracle: wrong old passwords are throttled like
    // failed logins — keyed by the session, so that others' failures never block a valid session (login-guard.ts).
    const client = sessionClient(access!.id);
    writer!.loginGuard.assertAllowed(client);
    if (!(await verifyPassword(p.oldPassword, user!.passwordHash))) {
      writer!.loginGuard.recordFailure(client);
      throw errors.invalidOperation("The given password does not match.");
    }
    writer!.loginGuard.forgive(client);
    // The caller's session goes on: it just proved the old password.
    await runBatch(db, await setPasswordStatements({ db, config, user, writer }, p.newPassword, access!.id));
    return {};
  },
});

/**
 * Sets the password as every path does (account.changePassword, account.resetPassword): the complexity rules
 * first (nothing is written if they fail), then statements for one batch with the caller's own. Whoever held the
 * old password may hold a session: every session but `keepAccessId`'s ends with it. `passwordSet` also tells
 * auth.login not to hand out a pre-change token again.
 */
export async function setPasswordStatements(
  { db, config, user, writer }: Pick<MethodContext, "db" | "config" | "user" | "writer">,
  newPassword: string,
  keepAccessId: string | null,
): Promise<Statement[]> {
  assertPasswordComplexity(config, newPassword);
  const passwordHash = await hashPassword(newPassword);
  const stamp = await writer!.stamp();
  return [
    db.update(users).set({ passwordHash, passwordSet: stamp.time }).where(eq(users.id, user!.id)),
    endSessions(db, user!.id, keepAccessId),
  ];
}

export const accountMethods = [get, update, changePassword];
