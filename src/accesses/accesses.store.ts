/** Storage of accesses (tokens and their permissions). */
import { and, eq, isNull } from "drizzle-orm";
import type { SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { accesses } from "../db/schema";
import type { WriteStamp } from "../account-do/account-writer";

export type AccessType = "personal" | "app" | "shared";
export type AccessRecord = typeof accesses.$inferSelect;

/** The `createdBy`/`modifiedBy` of items the system itself creates. */
export const SYSTEM_AUTHOR = "system";

export async function findLiveAccessByToken(db: Db, userId: number, token: string): Promise<AccessRecord | null> {
  const row = await db
    .select()
    .from(accesses)
    .where(and(eq(accesses.userId, userId), eq(accesses.token, token), isNull(accesses.deleted)))
    .get();
  return row ?? null;
}

export async function findPersonalAccess(db: Db, userId: number, name: string): Promise<AccessRecord | null> {
  const row = await db
    .select()
    .from(accesses)
    .where(
      and(eq(accesses.userId, userId), eq(accesses.type, "personal"), eq(accesses.name, name), isNull(accesses.deleted)),
    )
    .get();
  return row ?? null;
}

export function insertPersonalAccess(
  db: Db,
  userId: number | SQL<number>,
  access: { id: string; token: string; name: string; sessionExpires: number },
  stamp: WriteStamp,
) {
  return db.insert(accesses).values({
    userId,
    id: access.id,
    token: access.token,
    type: "personal",
    name: access.name,
    sessionExpires: access.sessionExpires,
    lastUsed: stamp.time,
    created: stamp.time,
    createdBy: SYSTEM_AUTHOR,
    modified: stamp.time,
    modifiedBy: SYSTEM_AUTHOR,
  });
}
