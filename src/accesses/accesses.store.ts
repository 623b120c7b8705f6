/** Storage of accesses (tokens and their permissions). */
import { and, asc, eq, gt, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { accesses } from "../db/schema";
import { jsonList } from "../db/sql";
import { compiledRows } from "../db/compiled-rows";
import type { ApiAccess } from "./accesses.schema";
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

/** API form. `calls` only where asked (access-info); never the per-access bookkeeping columns. */
export function toApiAccess(row: AccessRecord, options: { apiEndpoint?: string; calls?: boolean } = {}): ApiAccess {
  const access: ApiAccess = {
    id: row.id,
    token: row.token,
    type: row.type,
    name: row.name,
    permissions: JSON.parse(row.permissions) as unknown[],
    created: row.created,
    createdBy: row.createdBy,
    modified: row.modified,
    modifiedBy: row.modifiedBy,
  };
  if (row.type === "shared") access.deviceName = null;
  else if (row.deviceName !== null) access.deviceName = row.deviceName;
  if (row.expires !== null) access.expires = row.expires;
  if (row.lastUsed !== null) access.lastUsed = row.lastUsed;
  if (row.clientData !== null) access.clientData = JSON.parse(row.clientData) as Record<string, unknown>;
  if (options.calls) access.calls = JSON.parse(row.calls) as Record<string, number>;
  if (options.apiEndpoint) access.apiEndpoint = options.apiEndpoint;
  if (row.deleted !== null) access.deleted = row.deleted;
  return access;
}

export async function findAccessById(db: Db, userId: number, id: string): Promise<AccessRecord | null> {
  const row = await db
    .select()
    .from(accesses)
    .where(and(eq(accesses.userId, userId), eq(accesses.id, id), isNull(accesses.deleted)))
    .get();
  return row ?? null;
}

type ListFilter = "live" | "withExpired" | "deleted";

/** One compiled query per filter and whether `createdBy` is given (src/db/compiled-rows.ts). */
const accessLists = new Map<string, ReturnType<typeof compiledRows<typeof accesses>>>();

function accessList(filter: ListFilter, byCreator: boolean) {
  const key = `${filter}:${byCreator}`;
  let list = accessLists.get(key);
  if (!list) {
    list = compiledRows(accesses, (db) => {
      const conditions = [
        eq(accesses.userId, sql.placeholder("userId")),
        filter === "deleted" ? isNotNull(accesses.deleted) : isNull(accesses.deleted),
      ];
      if (byCreator) conditions.push(eq(accesses.createdBy, sql.placeholder("createdBy")));
      if (filter === "live") conditions.push(or(isNull(accesses.expires), gt(accesses.expires, sql.placeholder("now")))!);
      return db.select().from(accesses).where(and(...conditions)).orderBy(asc(accesses.name), asc(accesses.id));
    });
    accessLists.set(key, list);
  }
  return list;
}

/** Live accesses (all, or those `createdBy` an access), by name; expired ones only if asked. */
export async function listAccesses(
  db: Db,
  userId: number,
  options: { createdBy?: string; includeExpired: boolean; deleted: boolean; now: number },
): Promise<AccessRecord[]> {
  const filter: ListFilter = options.deleted ? "deleted" : options.includeExpired ? "withExpired" : "live";
  return accessList(filter, Boolean(options.createdBy))(db, { userId, createdBy: options.createdBy, now: options.now });
}

export function insertAccess(db: Db, userId: number, row: Omit<AccessRecord, "userId">) {
  return db.insert(accesses).values({ ...row, userId });
}

export function markAccessesDeleted(db: Db, userId: number, ids: string[], time: number) {
  return db
    .update(accesses)
    .set({ deleted: time, modified: time })
    .where(and(eq(accesses.userId, userId), inArray(accesses.id, jsonList(ids)), isNull(accesses.deleted)));
}

export function updateAccessRow(db: Db, userId: number, row: AccessRecord) {
  const { userId: _user, id, ...fields } = row;
  return db.update(accesses).set(fields).where(and(eq(accesses.userId, userId), eq(accesses.id, id)));
}
