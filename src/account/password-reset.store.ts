/**
 * Password reset requests in D1 (table `password_resets`, one row per account).
 *
 * Only the SHA-256 of a reset token is stored. A fast hash suffices here,
 * unlike for passwords: the token is `newToken()` (~165 random bits), so the
 * stored hash cannot be reversed by guessing — there is no dictionary to try,
 * and 2^165 candidates are out of reach whatever the hash speed. A leak of the
 * table therefore gives no usable token.
 */
import { eq } from "drizzle-orm";
import type { Db, Statement } from "../db/client";
import { passwordResets } from "../db/schema";
import { sha256Hex, timingSafeEqualStrings } from "../shared/crypto";

export const hashResetToken = sha256Hex;

/** Stores the account's new request, replacing any earlier one (whose token then stops working). */
export function replaceResetRequest(db: Db, userId: number, tokenHash: string, created: number, expires: number): Statement {
  return db
    .insert(passwordResets)
    .values({ userId, tokenHash, created, expires })
    .onConflictDoUpdate({ target: passwordResets.userId, set: { tokenHash, created, expires } });
}

/** Whether `token` is the account's live reset token (hashes compared in constant time). */
export async function isLiveResetToken(db: Db, userId: number, token: string, now: number): Promise<boolean> {
  const row = await db.select().from(passwordResets).where(eq(passwordResets.userId, userId)).get();
  const candidate = await hashResetToken(token);
  return row !== undefined && row.expires > now && timingSafeEqualStrings(candidate, row.tokenHash);
}

/** Burns the account's request: its token never works again. */
export function deleteResetRequest(db: Db, userId: number): Statement {
  return db.delete(passwordResets).where(eq(passwordResets.userId, userId));
}
