/**
 * Login sessions: a personal access is usable while its session is open. The
 * session slides (renewed on use) and ends at logout or after inactivity.
 */
import { and, eq, gt } from "drizzle-orm";
import { getConfig } from "../config";
import { createDb } from "../db/client";
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
