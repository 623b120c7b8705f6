/**
 * Login sessions: a personal access is usable while its session is open. The
 * session slides (renewed on use) and ends at logout or after inactivity.
 */
import { and, eq, gt, isNull, ne } from "drizzle-orm";
import { getConfig } from "../config";
import { createDb, type Db, type Statement } from "../db/client";
import { accesses } from "../db/schema";
import type { Env } from "../env";
import { nowSeconds } from "../shared/time";
import type { AccessRecord } from "./accesses.store";

/** Renew at most once a minute per access: each renewal is a write through the account's Durable Object. */
const RENEW_AFTER_SECONDS = 60;

export function sessionIsOpen(access: AccessRecord, now: number): boolean {
  return access.type !== "personal" || (access.sessionExpires ?? 0) > now;
}

export function sessionNeedsRenewal(access: AccessRecord, maxAgeSeconds: number, now: number): boolean {
  return access.type === "personal" && (access.sessionExpires ?? 0) - now < maxAgeSeconds - RENEW_AFTER_SECONDS;
}

/** Extends an open session; never reopens one that ended (logout, expiry). */
export async function touchSession(env: Env, userId: number, accessId: string): Promise<void> {
  const now = nowSeconds();
  await createDb(env.DB)
    .update(accesses)
    .set({ sessionExpires: now + getConfig(env).sessionMaxAgeSeconds, lastUsed: now })
    .where(and(eq(accesses.userId, userId), eq(accesses.id, accessId), gt(accesses.sessionExpires, now)));
}

/**
 * Ends every login session of the account but `keepAccessId`'s (the caller's,
 * on a password change; none on a reset): their tokens then answer as after a
 * logout ("Access session has expired."), and the next login for their apps
 * issues new tokens. A statement, to run in one batch with the password
 * update. Only personal accesses are sessions: app and shared tokens were
 * granted on purpose and stay valid (they are revoked with `accesses.delete`).
 * Run it inside the account's Durable Object through a method whose id starts
 * with `account.` or `auth.` (see `changesCaller`): the object then forgets
 * the accesses it cached, so an ended session is not served from its cache.
 */
export function endSessions(db: Db, userId: number, keepAccessId: string | null): Statement {
  return db
    .update(accesses)
    .set({ sessionExpires: 0 })
    .where(
      and(
        eq(accesses.userId, userId),
        eq(accesses.type, "personal"),
        isNull(accesses.deleted),
        keepAccessId === null ? undefined : ne(accesses.id, keepAccessId),
      ),
    );
}
