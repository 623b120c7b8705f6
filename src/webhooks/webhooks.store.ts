/** Storage of webhooks (D1 table `webhooks`) and their API form. */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { webhooks } from "../db/schema";
import { jsonList } from "../db/sql";
import { WEBHOOK_DEFAULTS, type ApiWebhook, type WebhookRun } from "./webhooks.schema";

export type WebhookRecord = typeof webhooks.$inferSelect;

export function toApiWebhook(row: WebhookRecord): ApiWebhook {
  const runs = JSON.parse(row.runs) as WebhookRun[];
  return {
    id: row.id,
    accessId: row.accessId,
    url: row.url,
    state: row.state,
    runCount: row.runCount,
    failCount: row.failCount,
    currentRetries: row.currentRetries,
    maxRetries: row.maxRetries,
    minIntervalMs: row.minIntervalMs,
    lastRun: runs[0] ?? { status: 0, timestamp: 0 },
    runs,
    created: row.created,
    createdBy: row.createdBy,
    modified: row.modified,
    modifiedBy: row.modifiedBy,
  };
}

export async function findWebhook(db: Db, userId: number, id: string): Promise<WebhookRecord | null> {
  return (await db.select().from(webhooks).where(and(eq(webhooks.userId, userId), eq(webhooks.id, id))).get()) ?? null;
}

/** The account's webhooks, or those of one access; oldest first. */
export function listWebhooks(db: Db, userId: number, accessId?: string): Promise<WebhookRecord[]> {
  const where = accessId === undefined ? eq(webhooks.userId, userId) : and(eq(webhooks.userId, userId), eq(webhooks.accessId, accessId));
  return db.select().from(webhooks).where(where).orderBy(webhooks.created, webhooks.id).all();
}

export async function findByUrl(db: Db, userId: number, accessId: string, url: string): Promise<WebhookRecord | null> {
  const row = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.userId, userId), eq(webhooks.accessId, accessId), eq(webhooks.url, url)))
    .get();
  return row ?? null;
}

export function insertWebhook(db: Db, row: Omit<WebhookRecord, "state" | "runCount" | "failCount" | "currentRetries" | "runs">) {
  return db.insert(webhooks).values(row);
}

export function updateWebhookRow(db: Db, userId: number, id: string, set: Partial<WebhookRecord>) {
  return db.update(webhooks).set(set).where(and(eq(webhooks.userId, userId), eq(webhooks.id, id)));
}

export function deleteWebhookRow(db: Db, userId: number, id: string) {
  return db.delete(webhooks).where(and(eq(webhooks.userId, userId), eq(webhooks.id, id)));
}

/** Statement deleting the webhooks of these accesses (they go with their access). */
export function deleteWebhooksOfAccesses(db: Db, userId: number, accessIds: readonly string[]) {
  return db.delete(webhooks).where(and(eq(webhooks.userId, userId), inArray(webhooks.accessId, jsonList([...accessIds]))));
}

/**
 * The row after one call: counters, the ring of runs, and — after a failure —
 * one more retry, `inactive` once `maxRetries` consecutive calls failed.
 */
export function afterRun(row: WebhookRecord, run: WebhookRun, options: { countsAsRetry: boolean }): Partial<WebhookRecord> {
  const ok = run.status >= 200 && run.status < 300;
  const runs = [run, ...(JSON.parse(row.runs) as WebhookRun[])].slice(0, WEBHOOK_DEFAULTS.runsSize);
  const set: Partial<WebhookRecord> = {
    runCount: row.runCount + 1,
    failCount: row.failCount + (ok ? 0 : 1),
    runs: JSON.stringify(runs),
  };
  if (options.countsAsRetry) {
    set.currentRetries = ok ? 0 : row.currentRetries + 1;
    if (!ok && set.currentRetries >= row.maxRetries) set.state = "inactive";
  }
  return set;
}

/**
 * Records a run on the webhook as it is NOW (read again, not as it was before
 * the call: an update may have come meanwhile). Run under the account's write
 * lock (AccountDO.recordWebhookRun), so it is ordered with webhooks.update.
 * Null when the webhook was deleted meanwhile.
 */
export async function recordRun(
  db: Db,
  userId: number,
  id: string,
  run: WebhookRun,
  countsAsRetry: boolean,
): Promise<WebhookRecord | null> {
  const current = await findWebhook(db, userId, id);
  if (!current) return null;
  // A webhook deactivated during its call keeps its retries as they were.
  const set = afterRun(current, run, { countsAsRetry: countsAsRetry && current.state === "active" });
  await updateWebhookRow(db, userId, id, set).run();
  return { ...current, ...set };
}
