/**
 * Deleting an account (`DELETE /users/{username}`, admin key or the account's
 * personal token): every row goes with the user's (foreign keys cascade),
 * every file under the account's R2 prefix (and any unfinished upload) is
 * removed by its Durable Object, and the name becomes free again.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { accountPrefix } from "../attachments/file-store";
import { users } from "../db/schema";
import { defineMethod } from "../methods/method";
import { registerClient } from "../register/register-client";
import { accountDeletionResult } from "./account.schema";

export const accountDeletionMethods = [
  defineMethod({
    id: "auth.delete",
    result: accountDeletionResult,
    scope: "account",
    params: z.object({}).loose(),
    permission: { kind: "personal-or-admin" },
    writes: true,
    handler: async ({ db, user, writer, env, config }) => {
      // The name and email are freed at the register first: if it cannot be reached, nothing changes.
      await registerClient(env, config, db).remove(user!.username);
      await db.delete(users).where(eq(users.id, user!.id));
      writer!.files.discardPrefix(accountPrefix(user!.id));
      writer!.forgetAccount();
      return { userDeletion: { username: user!.username } };
    },
  }),
];
