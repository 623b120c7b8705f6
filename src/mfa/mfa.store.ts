/** The `mfa` row of an account (migration 0009): present exactly while its MFA is active. */
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { mfa } from "../db/schema";

export interface ActiveMfa {
  userId: number;
  /** Sealed TOTP secret (mfa-crypto.ts). */
  secret: string;
  /** SHA-256 hex digests of the unused recovery codes. */
  recoveryCodeHashes: string[];
  lastStep: number;
  activated: number;
}

export async function findActiveMfa(db: Db, userId: number): Promise<ActiveMfa | null> {
  const row = await db.select().from(mfa).where(eq(mfa.userId, userId)).get();
  if (!row) return null;
  return { ...row, recoveryCodeHashes: JSON.parse(row.recoveryCodes) as string[] };
}

export async function insertActiveMfa(db: Db, state: ActiveMfa): Promise<void> {
  const { recoveryCodeHashes, ...rest } = state;
  await db.insert(mfa).values({ ...rest, recoveryCodes: JSON.stringify(recoveryCodeHashes) });
}

/**
 * Records `step` as the last accepted one; false when a code of that step or a
 * later one was accepted already (the code was used: single use).
 */
export async function acceptStep(db: Db, userId: number, step: number): Promise<boolean> {
  const updated = await db
    .update(mfa)
    .set({ lastStep: step })
    .where(and(eq(mfa.userId, userId), lt(mfa.lastStep, step)))
    .returning({ userId: mfa.userId });
  return updated.length === 1;
}

export async function deleteMfa(db: Db, userId: number): Promise<void> {
  await db.delete(mfa).where(eq(mfa.userId, userId));
}
