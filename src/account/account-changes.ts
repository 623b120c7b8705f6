/**
 * Changing account fields (email, language): the users row (directory) and
 * the field's event change together. Used by account.update and by
 * events.update on an account field's event.
 */
import { eq } from "drizzle-orm";
import { SYSTEM_AUTHOR } from "../accesses/accesses.store";
import { runBatch, type Statement } from "../db/client";
import { users } from "../db/schema";
import { errors } from "../errors";
import { sealed } from "../events/events.rules";
import { findEventRow, insertEventStatements, toApiEvent, updateEventStatements } from "../events/events.store";
import type { MethodContext } from "../methods/method";
import { registerClient } from "../register/register-client";
import { accountFieldEvent, isUniqueViolation, type UserRecord } from "./account.store";
import { streamOfField } from "./system-streams";

export interface AccountChanges {
  email?: string;
  language?: string;
}

/** Applies `changes` (must run in the account's Durable Object); returns the updated user. */
export async function applyAccountChanges(ctx: MethodContext, changes: AccountChanges): Promise<UserRecord> {
  const { db, user, access, writer } = ctx;
  if (!user || !writer) throw new Error("account changes run in the account's Durable Object");
  const fields = (Object.keys(changes) as (keyof AccountChanges)[]).filter((f) => changes[f] !== undefined);
  if (!fields.length) return user;
  // Emails are unique across the platform: the register checks and records it first (409 when taken).
  const register = registerClient(ctx.env, ctx.config, db);
  const newEmail = changes.email !== undefined && changes.email !== user.email ? changes.email : null;
  if (newEmail !== null) await register.updateEmail(user.username, newEmail);
  const stamp = await writer.stamp();
  const by = access?.id ?? SYSTEM_AUTHOR;
  const statements: Statement[] = [db.update(users).set(changes).where(eq(users.id, user.id))];
  for (const field of fields) {
    const value = changes[field]!;
    const row = await findEventRow(db, user.id, streamOfField(field).id);
    if (row && row.deleted === null) {
      const before = toApiEvent(row);
      const after = await sealed({ ...before, content: value, modified: stamp.time, modifiedBy: by });
      statements.push(...updateEventStatements(db, user.id, before, after, stamp.serial));
    } else {
      statements.push(...insertEventStatements(db, user.id, await accountFieldEvent(field, value, stamp, by), stamp.serial));
    }
  }
  try {
    await runBatch(db, statements);
  } catch (err) {
    if (newEmail !== null) await register.updateEmail(user.username, user.email).catch(() => undefined);
    // Another account took the email between the check and the write.
    if (isUniqueViolation(err)) throw errors.itemAlreadyExists("user", { email: changes.email });
    throw err;
  }
  return { ...user, ...changes };
}
