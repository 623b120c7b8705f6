/** Profile sets: free key/value objects (`public`, `private`, one per app). */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { profiles } from "../db/schema";

export type ProfileData = Record<string, unknown>;

export async function readProfile(db: Db, userId: number, profileId: string): Promise<ProfileData> {
  const row = await db
    .select({ data: profiles.data })
    .from(profiles)
    .where(and(eq(profiles.userId, userId), eq(profiles.profileId, profileId)))
    .get();
  return row ? (JSON.parse(row.data) as ProfileData) : {};
}

export async function writeProfile(db: Db, userId: number, profileId: string, data: ProfileData): Promise<void> {
  const json = JSON.stringify(data);
  await db
    .insert(profiles)
    .values({ userId, profileId, data: json })
    .onConflictDoUpdate({ target: [profiles.userId, profiles.profileId], set: { data: json } });
}

/** One-level merge: a key set to null is removed, any other value replaces the old one. */
export function mergeProfile(current: ProfileData, update: ProfileData): ProfileData {
  // A Map, then fromEntries: keys such as "__proto__" stay plain data.
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(update)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}
