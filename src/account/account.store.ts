/** Storage of accounts: the users row (directory + credentials) and the account-field events. */
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db, Statement } from "../db/client";
import { events, users } from "../db/schema";
import type { ApiEvent } from "../events/events.schema";
import { insertEventStatements } from "../events/events.store";
import { sealed } from "../events/events.rules";
import type { WriteStamp } from "../account-do/account-writer";
import { streamOfField, type AccountField } from "./system-streams";

export type UserRecord = typeof users.$inferSelect;

/** Account fields a registration stores (nulls are skipped, as the reference does). */
export type AccountFieldValues = Partial<Record<AccountField, string | number | null>>;

export async function findUserByUsername(db: Db, username: string): Promise<UserRecord | null> {
  return (await db.select().from(users).where(eq(users.username, username)).get()) ?? null;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | null> {
  return (await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).get()) ?? null;
}

/** `users.id` of `username`, as a sub-select usable inside a batch before the row exists. */
export function userIdOf(username: string): SQL<number> {
  return sql<number>`(SELECT id FROM users WHERE username = ${username})`;
}

/** The event holding an account field's value (its id is the field's system stream id). */
export async function accountFieldEvent(
  field: AccountField,
  value: string | number,
  stamp: WriteStamp,
  by: string,
): Promise<ApiEvent> {
  const stream = streamOfField(field);
  return sealed({
    id: stream.id,
    streamIds: [stream.id],
    type: stream.type ?? "",
    time: stamp.time,
    content: value,
    created: stamp.time,
    createdBy: by,
    modified: stamp.time,
    modifiedBy: by,
  });
}

/** Statements inserting one event per account field (null values are skipped, as the reference does). */
export async function insertAccountFieldEvents(
  db: Db,
  userId: number | SQL<number>,
  values: AccountFieldValues,
  stamp: WriteStamp,
  by: string,
) {
  const statements: Statement[] = [];
  for (const [field, value] of Object.entries(values) as [AccountField, string | number | null][]) {
    if (value === null || value === undefined) continue;
    statements.push(...insertEventStatements(db, userId, await accountFieldEvent(field, value, stamp, by), stamp.serial));
  }
  return statements;
}

/** True when a D1 error is a UNIQUE constraint violation. */
export function isUniqueViolation(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}` : "";
  return /UNIQUE constraint failed/i.test(message);
}

/** `storageUsed` of account.get: live events (the account's own field events excluded) and attached bytes. */
export async function storageUsed(db: Db, userId: number): Promise<{ dbDocuments: number; attachedFiles: number }> {
  const row = await db
    .select({
      count: sql<number>`count(*)`,
      bytes: sql<number>`ifnull(sum((SELECT sum(json_extract(a.value, '$.size')) FROM json_each(${events.attachments}) a)), 0)`,
    })
    .from(events)
    .where(and(eq(events.userId, userId), sql`${events.deleted} IS NULL`, sql`${events.id} NOT LIKE ':%'`))
    .get();
  return { dbDocuments: row?.count ?? 0, attachedFiles: row?.bytes ?? 0 };
}
