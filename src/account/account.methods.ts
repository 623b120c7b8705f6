/** The account: its editable fields and its password (personal tokens only). */
import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { errors } from "../errors";
import { defineMethod, PERSONAL_ONLY } from "../methods/method";
import { hashPassword, verifyPassword } from "../shared/crypto";
import { SYSTEM_AUTHOR } from "../accesses/accesses.store";
import { isUniqueViolation, storageUsed, updateAccountFieldEvent, type UserRecord } from "./account.store";
import { accountUpdateParams, changePasswordParams, type Account } from "./account.schema";
import { assertPasswordComplexity } from "./password-rules";

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
  scope: "account",
  params: z.object({}).loose(),
  permission: PERSONAL_ONLY,
  writes: false,
  batchable: true,
  handler: async ({ db, user }) => ({ account: await accountOf(db, user!) }),
});

const update = defineMethod({
  id: "account.update",
  scope: "account",
  params: accountUpdateParams,
  permission: PERSONAL_ONLY,
  writes: true,
  batchable: true,
  handler: async ({ db, user, access, writer }, { update: changes }) => {
    const account = user!;
    const by = access?.id ?? SYSTEM_AUTHOR;
    if (changes.email !== undefined) {
      const taken = await db
        .select({ id: users.id })
        .from(users)
        .where(and(sql`lower(${users.email}) = lower(${changes.email})`, ne(users.id, account.id)))
        .get();
      if (taken) throw errors.itemAlreadyExists("user", { email: changes.email });
    }
    const stamp = writer!.stamp();
    const statements = [];
    if (changes.email !== undefined) {
      statements.push(updateAccountFieldEvent(db, account.id, "email", changes.email, stamp, by));
    }
    if (changes.language !== undefined) {
      statements.push(updateAccountFieldEvent(db, account.id, "language", changes.language, stamp, by));
    }
    const updated = { ...account, ...changes };
    if (statements.length) {
      try {
        await db.batch([
          db.update(users).set(changes).where(eq(users.id, account.id)),
          ...statements,
        ]);
      } catch (err) {
        // Another account took the email between the check and the write.
        if (isUniqueViolation(err)) throw errors.itemAlreadyExists("user", { email: changes.email });
        throw err;
      }
    }
    return { account: await accountOf(db, updated) };
  },
});

const changePassword = defineMethod({
  id: "account.changePassword",
  scope: "account",
  params: changePasswordParams,
  permission: PERSONAL_ONLY,
  writes: true,
  batchable: true,
  handler: async ({ db, config, user, writer }, p) => {
    // A stolen personal token must not become a password oracle: wrong guesses count as failed logins.
    writer!.loginGuard.assertAllowed();
    if (!(await verifyPassword(p.oldPassword, user!.passwordHash))) {
      writer!.loginGuard.recordFailure();
      throw errors.invalidOperation("The given password does not match.");
    }
    assertPasswordComplexity(config, p.newPassword);
    const stamp = writer!.stamp();
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(p.newPassword), passwordSet: stamp.time })
      .where(eq(users.id, user!.id));
    return {};
  },
});

export const accountMethods = [get, update, changePassword];
