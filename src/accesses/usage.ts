/**
 * The trail of use (the FAQ's "monitoring tools to detect fraudulent use of
 * tokens"): every authenticated call leaves an entry — time, access, method,
 * outcome, and the country and network the edge saw it come from. Entries
 * reach the account's Durable Object after the answer is sent; it writes
 * them in batches: audit rows, each access's `lastUsed` and per-method
 * `calls`, and the countries and networks each access was used from. Beyond
 * Pryv, the first call of an access from a new country or network is flagged.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { accountStub } from "../account-do/stub";
import type { Db, Statement } from "../db/client";
import type { Env } from "../env";
import { accesses, accessOrigins, auditLog } from "../db/schema";
import { jsonList } from "../db/sql";
import { newId } from "../shared/ids";
import { logFailure } from "../shared/log";

export interface UsageEntry {
  userId: number;
  accessId: string;
  method: string;
  time: number;
  status: number;
  errorId: string | null;
  /** `http` or `batch`. */
  source: string;
  country: string | null;
  asn: number | null;
  network: string | null;
}

/** The reference's counter key: the first `.` of the method id becomes `:` (`events.get` → `events:get`). */
export function callsKey(method: string): string {
  return method.replace(/^\$/, "_").replace(".", ":");
}

const originsOf = (e: UsageEntry) => [
  ...(e.country ? [`country:${e.country}`] : []),
  ...(e.asn !== null ? [`asn:${e.asn}`] : []),
];

/** Statements writing `entries` (all of one account). */
export async function usageStatements(db: Db, userId: number, entries: readonly UsageEntry[]): Promise<Statement[]> {
  if (!entries.length) return [];
  const accessIds = [...new Set(entries.map((e) => e.accessId))];
  const known = await db
    .select({ accessId: accessOrigins.accessId, origin: accessOrigins.origin })
    .from(accessOrigins)
    .where(and(eq(accessOrigins.userId, userId), inArray(accessOrigins.accessId, jsonList(accessIds))))
    .all();
  const seen = new Set(known.map((k) => `${k.accessId} ${k.origin}`));
  const newOrigins: { accessId: string; origin: string; firstSeen: number }[] = [];
  const rows = [...entries]
    .sort((a, b) => a.time - b.time)
    .map((e) => {
      let isNew = false;
      for (const origin of originsOf(e)) {
        if (seen.has(`${e.accessId} ${origin}`)) continue;
        seen.add(`${e.accessId} ${origin}`);
        newOrigins.push({ accessId: e.accessId, origin, firstSeen: e.time });
        isNew = true;
      }
      return { ...e, id: newId(), newOrigin: isNew ? 1 : 0 };
    });

  const statements: Statement[] = [
    db.insert(auditLog).select(
      sql`SELECT ${userId}, json_extract(value, '$.id'), json_extract(value, '$.time'), json_extract(value, '$.accessId'),
            json_extract(value, '$.method'), json_extract(value, '$.status'), json_extract(value, '$.errorId'),
            json_extract(value, '$.source'), json_extract(value, '$.country'), json_extract(value, '$.asn'),
            json_extract(value, '$.network'), json_extract(value, '$.newOrigin')
          FROM json_each(${JSON.stringify(rows)})`,
    ),
  ];
  if (newOrigins.length) {
    statements.push(
      db
        .insert(accessOrigins)
        .select(
          sql`SELECT ${userId}, json_extract(value, '$.accessId'), json_extract(value, '$.origin'), json_extract(value, '$.firstSeen')
              FROM json_each(${JSON.stringify(newOrigins)}) WHERE true`,
        )
        .onConflictDoNothing(),
    );
  }
  for (const accessId of accessIds) {
    const mine = entries.filter((e) => e.accessId === accessId);
    const counts = new Map<string, number>();
    for (const e of mine) counts.set(callsKey(e.method), (counts.get(callsKey(e.method)) ?? 0) + 1);
    let calls = sql`${accesses.calls}`;
    for (const [key, count] of counts) {
      const path = `$."${key.replaceAll('"', "")}"`;
      calls = sql`json_set(${calls}, ${path}, ifnull(json_extract(${accesses.calls}, ${path}), 0) + ${count})`;
    }
    const lastUsed = Math.max(...mine.map((e) => e.time));
    statements.push(
      db
        .update(accesses)
        .set({ calls, lastUsed: sql`max(ifnull(${accesses.lastUsed}, 0), ${lastUsed})` })
        .where(and(eq(accesses.userId, userId), eq(accesses.id, accessId))),
    );
  }
  return statements;
}

/** The usage entry of a call's outcome; null when no access was authenticated. */
export function usageEntry(
  outcome: { ok: boolean; status: number; accessId: string | null; userId: number | null; error?: { id: string } },
  method: string,
  caller: { country: string | null; asn: number | null; asOrganization: string | null },
  source: string,
): UsageEntry | null {
  if (outcome.accessId === null || outcome.userId === null) return null;
  return {
    userId: outcome.userId,
    accessId: outcome.accessId,
    method,
    time: Date.now() / 1000,
    status: outcome.status,
    errorId: outcome.ok ? null : (outcome.error?.id ?? null),
    source,
    country: caller.country,
    asn: caller.asn,
    network: caller.asOrganization,
  };
}

/** Entries wait this long in the isolate, so one delivery carries all the calls of that moment. */
const COALESCE_MS = 250;
const queued = new Map<string, UsageEntry[]>();

/**
 * Queues entries for the account's Durable Object: the first entry of an
 * account schedules one delivery (kept alive by its request's `waitUntil`),
 * later ones join it — one RPC per account per moment, not one per call.
 */
export function queueUsage(
  env: Env,
  username: string,
  entries: UsageEntry[],
  waitUntil: (promise: Promise<unknown>) => void,
): void {
  const waiting = queued.get(username);
  if (waiting) {
    waiting.push(...entries);
    return;
  }
  const batch = [...entries];
  queued.set(username, batch);
  waitUntil(
    new Promise((resolve) => setTimeout(resolve, COALESCE_MS))
      .then(() => {
        queued.delete(username);
        return accountStub(env, username).recordUse(batch);
      })
      .catch((err: unknown) => logFailure("usage delivery", err)),
  );
}
