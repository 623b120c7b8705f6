/**
 * Webhook delivery, hosted by the account's Durable Object (account-do.ts
 * asks `webhooksMayListen` before a write, calls `queueWebhooks` with the
 * change of each committed write and `deliverWebhooks` from its alarm;
 * everything else is here).
 *
 * Where the state lives (choice): the webhooks themselves — url, state,
 * counters, runs — are in D1, read by the API. What is only delivery
 * bookkeeping lives in the Durable Object's own storage: per webhook, the
 * pending messages and when they are due, and when it was last called; plus
 * an index of the account's active webhooks. It is written on every
 * committed write, and only this object reads it: keeping it next to the
 * alarm that acts on it costs no D1 write per data change (the index makes
 * an account without webhooks pay one local read per write), and the alarm
 * needs no query to find what is due. It is durable: a message queued before
 * an eviction or a crash is still delivered.
 *
 * Throttle: a webhook is called at most once per `minIntervalMs`; changes in
 * between are merged into one call (messages are a set). A failed call
 * (non-2xx, network error, timeout: status 0) is retried with exponential
 * back-off, `minIntervalMs * 2^(currentRetries-1)`, with its messages merged
 * into what came meanwhile; after `maxRetries` consecutive failures the
 * webhook turns `inactive` (webhooks.update `state: "active"` turns it on
 * again and resets `currentRetries`).
 */
import { findAccessById } from "../accesses/accesses.store";
import { getConfig } from "../config";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { meta } from "../http/meta";
import { loadListenerAccesses, messagesFor, type Change } from "../notifications/changes";
import { logFailure } from "../shared/log";
import { nowSeconds } from "../shared/time";
import { privateTargetsAllowed, refusedTarget } from "./url-policy";
import { CALL_TIMEOUT_MS } from "./webhooks.schema";
import { deleteWebhookRow, findWebhook, listWebhooks } from "./webhooks.store";
import type { WebhookRecord } from "./webhooks.store";
import type { WebhookRun } from "./webhooks.schema";

/** What the Durable Object lends: its environment, its storage, its alarm. */
export interface WebhookHost {
  env: Env;
  kv: SyncKvStorage;
  /** The alarm rings at the latest in `ms`. */
  wakeUpIn(ms: number): Promise<void>;
  /** Records a run under the account's write lock (see webhooks.store.ts recordRun). */
  recordRun(userId: number, webhookId: string, run: WebhookRun, countsAsRetry: boolean): Promise<WebhookRecord | null>;
}

interface Listener {
  id: string;
  accessId: string;
  minIntervalMs: number;
}

interface Pending {
  userId: number;
  webhookId: string;
  messages: string[];
  /** ms since the epoch. */
  dueAt: number;
}

const INDEX_KEY = "webhooks:index";
const PENDING_PREFIX = "webhooks:pending:";
const LAST_CALL_PREFIX = "webhooks:last:";

// ---------------------------------------------------------------- calling

/**
 * POSTs `{messages, meta}` to `url` and gives the receiver's status (0 for a
 * network error, a timeout or a refused target). Nothing else of the answer
 * is kept or reflected anywhere; redirects are not followed.
 */
export async function callWebhook(env: Env, url: string, messages: readonly string[]): Promise<number> {
  if (refusedTarget(url, privateTargetsAllowed(env)) !== null) return 0;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ messages, meta: meta(getConfig(env)) }),
      redirect: "manual",
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------- queueing (after each committed write)

interface Index {
  userId: number;
  listeners: Listener[];
}

/**
 * The index as this object last read or wrote it: only this module, in the
 * account's object, touches INDEX_KEY, so the copy stays exact, and a write
 * asks memory instead of a storage read (about 3 % of a create's CPU samples
 * locally). `null`: known to be absent. Storage stays the durable copy.
 */
const indexMemo = new WeakMap<SyncKvStorage, Index | null>();

function readIndex(kv: SyncKvStorage): Index | null {
  let index = indexMemo.get(kv);
  if (index === undefined) indexMemo.set(kv, (index = kv.get<Index>(INDEX_KEY) ?? null));
  return index;
}

function writeIndex(kv: SyncKvStorage, index: Index | null): void {
  if (index) kv.put(INDEX_KEY, index);
  else kv.delete(INDEX_KEY);
  indexMemo.set(kv, index);
}

/**
 * Before a write: whether the commit hook must describe its change for the
 * webhooks (true while the index is unknown or names active webhooks). A write
 * that may add, remove, deactivate or orphan webhooks forgets the index: the
 * next write reads it again from D1.
 */
export function webhooksMayListen(kv: SyncKvStorage, methodId: string): boolean {
  if (/^(webhooks|accesses|auth)\./.test(methodId)) writeIndex(kv, null);
  const index = readIndex(kv);
  return !index || index.listeners.length > 0;
}

/** The account's active webhooks, from D1, kept in the object's storage (see webhooksMayListen). */
async function refreshIndex(host: WebhookHost, userId: number): Promise<Listener[]> {
  const rows = await listWebhooks(createDb(host.env.DB), userId);
  const listeners = rows
    .filter((r) => r.state === "active")
    .map((r) => ({ id: r.id, accessId: r.accessId, minIntervalMs: r.minIntervalMs }));
  writeIndex(host.kv, { userId, listeners });
  return listeners;
}

/**
 * After a committed write: queues its messages for each webhook whose access
 * may read what changed — the change and the scoping rule are the ones the
 * sockets are told by (notifications/changes.ts: `describeChange`,
 * `messagesFor`), not derived a second time here. Sent by the alarm. Never throws.
 */
export async function queueWebhooks(host: WebhookHost, change: Change): Promise<void> {
  try {
    const { userId } = change;
    const index = readIndex(host.kv);
    const listeners = index && index.userId === userId ? index.listeners : await refreshIndex(host, userId);
    if (!listeners.length) return;
    const db = createDb(host.env.DB);
    const accessesById = await loadListenerAccesses(db, userId, [...new Set(listeners.map((l) => l.accessId))]);
    const now = Date.now();
    let soonest: number | null = null;
    for (const listener of listeners) {
      const access = accessesById.get(listener.accessId);
      // A deleted or expired access is told nothing (its webhooks go with it: accesses.delete).
      if (!access || access.deleted !== null || (access.expires !== null && access.expires <= now / 1000)) continue;
      const messages = messagesFor(change, access);
      if (!messages.length) continue;
      const dueAt = enqueue(host.kv, userId, listener, messages, now);
      soonest = soonest === null ? dueAt : Math.min(soonest, dueAt);
    }
    if (soonest !== null) await host.wakeUpIn(Math.max(0, soonest - now));
  } catch (err) {
    logFailure("webhooks", err);
  }
}

/** Merges `messages` into the webhook's pending call; a new one is due once the throttle allows. */
function enqueue(kv: SyncKvStorage, userId: number, listener: Listener, messages: string[], now: number): number {
  const key = PENDING_PREFIX + listener.id;
  const pending = kv.get<Pending>(key);
  if (pending) {
    pending.messages = [...new Set([...pending.messages, ...messages])];
    kv.put(key, pending);
    return pending.dueAt;
  }
  const lastCall = kv.get<number>(LAST_CALL_PREFIX + listener.id) ?? 0;
  const dueAt = Math.max(now, lastCall + listener.minIntervalMs);
  kv.put(key, { userId, webhookId: listener.id, messages: [...new Set(messages)], dueAt } satisfies Pending);
  return dueAt;
}

// ---------------------------------------------------------------- delivering (from the alarm)

/** Sends every due call, records its run, re-queues failures with back-off and sets the alarm for what is left. */
export async function deliverWebhooks(host: WebhookHost): Promise<void> {
  const { kv } = host;
  const now = Date.now();
  const due: Pending[] = [];
  for (const [key, pending] of kv.list<Pending>({ prefix: PENDING_PREFIX })) {
    if (pending.dueAt > now) continue;
    due.push(pending);
    kv.delete(key); // taken: what comes meanwhile starts a new pending call
  }
  await Promise.all(
    due.map((pending) =>
      deliverOne(host, pending).catch((err: unknown) => {
        logFailure("webhooks", err);
        requeue(kv, pending, pending.messages, Date.now() + 60_000);
      }),
    ),
  );
  let next: number | null = null;
  for (const [, pending] of kv.list<Pending>({ prefix: PENDING_PREFIX })) next = next === null ? pending.dueAt : Math.min(next, pending.dueAt);
  if (next !== null) await host.wakeUpIn(Math.max(0, next - Date.now()));
}

function requeue(kv: SyncKvStorage, pending: Pending, messages: string[], notBefore: number): void {
  const key = PENDING_PREFIX + pending.webhookId;
  const meanwhile = kv.get<Pending>(key);
  kv.put(key, {
    ...pending,
    messages: [...new Set([...messages, ...(meanwhile?.messages ?? [])])],
    dueAt: Math.max(notBefore, meanwhile?.dueAt ?? 0),
  } satisfies Pending);
}

async function deliverOne(host: WebhookHost, pending: Pending): Promise<void> {
  const { env, kv } = host;
  const db = createDb(env.DB);
  const { userId, webhookId } = pending;
  const row = await findWebhook(db, userId, webhookId);
  if (!row || row.state !== "active") return; // deleted or deactivated meanwhile: nothing to send
  const access = await findAccessById(db, userId, row.accessId);
  if (!access) {
    // Its access is gone (webhooks are deleted with it; this covers any left over).
    await deleteWebhookRow(db, userId, webhookId).run();
    await refreshIndex(host, userId);
    return;
  }
  if (access.expires !== null && access.expires <= nowSeconds()) return; // an expired access is told nothing

  const status = await callWebhook(env, row.url, pending.messages);
  const set = await host.recordRun(userId, webhookId, { status, timestamp: nowSeconds() }, true);
  const calledAt = Date.now();
  if (!set) {
    kv.delete(PENDING_PREFIX + webhookId); // deleted during the call
    return;
  }
  kv.put(LAST_CALL_PREFIX + webhookId, calledAt);
  if (set.state === "inactive") {
    kv.delete(PENDING_PREFIX + webhookId);
    await refreshIndex(host, userId);
    return;
  }
  const ok = status >= 200 && status < 300;
  if (!ok) {
    requeue(kv, pending, pending.messages, calledAt + row.minIntervalMs * 2 ** ((set.currentRetries ?? 1) - 1));
    return;
  }
  // Changes that came during the call wait for the throttle.
  const meanwhile = kv.get<Pending>(PENDING_PREFIX + webhookId);
  if (meanwhile && meanwhile.dueAt < calledAt + row.minIntervalMs) {
    kv.put(PENDING_PREFIX + webhookId, { ...meanwhile, dueAt: calledAt + row.minIntervalMs });
  }
}
