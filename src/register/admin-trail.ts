/**
 * The admin trail (table `admin_trail`, migration 0012): every call of an
 * admin method — refused ones too, a missing or wrong key included, which is
 * what an operator looks for — and every call another method accepted
 * because it came with the admin key (`personal-or-admin`). Who (a
 * fingerprint of the key presented, never the key), what (method, outcome,
 * target), when, from where (address, country, network). The dispatcher
 * records it, once per call, after the outcome is known.
 */
import { desc, gte, lt } from "drizzle-orm";
import { getConfig, type Config } from "../config";
import { createDb, type Db } from "../db/client";
import { adminTrail } from "../db/schema";
import type { Env } from "../env";
import type { CallInput, CallOutcome } from "../methods/dispatch";
import type { MethodDefinition } from "../methods/method";
import { isAdminKey } from "../permissions";
import { sha256Hex } from "../shared/crypto";
import { LIMITS } from "../shared/limits";
import { logFailure } from "../shared/log";
import { nowSeconds } from "../shared/time";

/** Entries older than this are pruned as new ones are written. */
export const ADMIN_TRAIL_RETENTION_SECONDS = 180 * 24 * 3600;

/** 32 bits: tells keys apart (a rotated key, a stray one) without saying anything usable about them. */
export async function keyFingerprint(key: string): Promise<string> {
  return (await sha256Hex(key)).slice(0, 8);
}

function isAdminCall(method: MethodDefinition, config: Config, token: string | null): boolean {
  if (method.permission.kind === "admin") return true;
  return method.permission.kind === "personal-or-admin" && isAdminKey(config, token);
}

/** The account or name the call is about, as addressed (path, then `username` or `subdomain` param). */
function targetOf(input: CallInput): string | null {
  const params = (typeof input.params === "object" && input.params !== null ? input.params : {}) as Record<string, unknown>;
  const named = [input.username, params.username, params.subdomain].find((v) => typeof v === "string" && v !== "");
  return typeof named === "string" ? named.slice(0, LIMITS.shortText) : null;
}

/** Never fails the call it records: a failure to write is logged (ids only). */
export async function recordAdminCall(
  env: Env,
  method: MethodDefinition | undefined,
  input: CallInput,
  outcome: CallOutcome,
): Promise<void> {
  try {
    if (!method) return;
    const config = getConfig(env);
    if (!isAdminCall(method, config, input.token)) return;
    const time = nowSeconds();
    const db = createDb(env.DB);
    await db.batch([
      db.insert(adminTrail).values({
        time,
        keyFingerprint: input.token ? await keyFingerprint(input.token) : null,
        admitted: isAdminKey(config, input.token) ? 1 : 0,
        method: method.id,
        outcome: outcome.ok ? "ok" : outcome.error.id,
        status: outcome.status,
        target: targetOf(input),
        ip: input.caller.ip,
        country: input.caller.country,
        asn: input.caller.asn,
      }),
      db.delete(adminTrail).where(lt(adminTrail.time, time - ADMIN_TRAIL_RETENTION_SECONDS)),
    ]);
  } catch (err) {
    logFailure("admin trail", err, method?.id);
  }
}

export interface AdminTrailEntry {
  time: number;
  keyFingerprint: string | null;
  admitted: boolean;
  method: string;
  outcome: string;
  status: number;
  target: string | null;
  ip: string | null;
  country: string | null;
  asn: number | null;
}

/** Newest first. */
export async function readAdminTrail(db: Db, { limit, since }: { limit: number; since?: number }): Promise<AdminTrailEntry[]> {
  const rows = await db
    .select()
    .from(adminTrail)
    .where(since === undefined ? undefined : gte(adminTrail.time, since))
    .orderBy(desc(adminTrail.time), desc(adminTrail.id))
    .limit(limit)
    .all();
  return rows.map(({ id: _id, admitted, ...entry }) => ({ ...entry, admitted: admitted === 1 }));
}
