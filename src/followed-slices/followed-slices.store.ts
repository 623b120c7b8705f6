/** Storage of followed slices (D1 table `followed_slices`) and their API form. */
import { and, eq, ne, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { followedSlices } from "../db/schema";
import type { ApiFollowedSlice } from "./followed-slices.schema";

export type FollowedSliceRecord = typeof followedSlices.$inferSelect;

export const toApiFollowedSlice = (row: FollowedSliceRecord): ApiFollowedSlice => ({
  id: row.id,
  name: row.name,
  url: row.url,
  accessToken: row.accessToken,
});

export async function findFollowedSlice(db: Db, userId: number, id: string): Promise<FollowedSliceRecord | null> {
  const where = and(eq(followedSlices.userId, userId), eq(followedSlices.id, id));
  return (await db.select().from(followedSlices).where(where).get()) ?? null;
}

/** Ordered by name, as the reference. */
export function listFollowedSlices(db: Db, userId: number): Promise<FollowedSliceRecord[]> {
  return db.select().from(followedSlices).where(eq(followedSlices.userId, userId)).orderBy(followedSlices.name).all();
}

/** Which unique key (name; url and token) another slice of the account already holds, if any. */
export async function conflictOf(
  db: Db,
  userId: number,
  slice: { name?: string; url?: string; accessToken?: string },
  exceptId = "",
): Promise<"name" | "url-token" | null> {
  const taken = async (condition: SQL | undefined) =>
    Boolean(
      await db
        .select({ id: followedSlices.id })
        .from(followedSlices)
        .where(and(eq(followedSlices.userId, userId), ne(followedSlices.id, exceptId), condition))
        .get(),
    );
  if (slice.name !== undefined && (await taken(eq(followedSlices.name, slice.name)))) return "name";
  if (slice.url !== undefined && slice.accessToken !== undefined) {
    if (await taken(and(eq(followedSlices.url, slice.url), eq(followedSlices.accessToken, slice.accessToken)))) return "url-token";
  }
  return null;
}

export function insertFollowedSlice(db: Db, row: FollowedSliceRecord) {
  return db.insert(followedSlices).values(row);
}

export function updateFollowedSliceRow(db: Db, userId: number, id: string, set: Partial<FollowedSliceRecord>) {
  return db.update(followedSlices).set(set).where(and(eq(followedSlices.userId, userId), eq(followedSlices.id, id)));
}

export function deleteFollowedSliceRow(db: Db, userId: number, id: string) {
  return db.delete(followedSlices).where(and(eq(followedSlices.userId, userId), eq(followedSlices.id, id)));
}
