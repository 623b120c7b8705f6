/**
 * One Durable Object per account (named by username). Every write to the
 * account runs here, one at a time, so writes are ordered and each gets a
 * strictly increasing stamp (time and serial). It also hosts the account's
 * sockets (Hibernation API, src/notifications/): after each committed write it
 * tells them what changed, in commit order.
 */
import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config";
import type { Env } from "../env";
import { changesCaller, runCall, type CallInput, type CallOutcome } from "../methods/dispatch";
import { CallerCaches } from "./caller-caches";
import { createFileLedger, markPending, PENDING_TTL_MS, recordMultipart, sweepFiles } from "./file-ledger";
import { touchSession } from "../accesses/sessions";
import { usageStatements, type UsageEntry } from "../accesses/usage";
import { eq } from "drizzle-orm";
import { createDb, runBatch } from "../db/client";
import { users } from "../db/schema";
import type { StreamTree } from "../streams/stream-tree";
import { loadStreamTree, type StreamRow } from "../streams/streams.store";
import type { AccountWriter, WriteStamp } from "./account-writer";
import { createLoginGuard } from "./login-guard";
import { createMfaSessions } from "../mfa/mfa-sessions";
import { WriteLock } from "./write-lock";
import { logFailure } from "../shared/log";
import { describeChange, probeBefore, type Change } from "../notifications/changes";
import { Polling } from "../notifications/polling";
import {
  acceptSocket,
  closeAll,
  hasListeners,
  notifyChange,
  onMessage,
  pingInterval,
  pingSockets,
  readGrant,
  type Host,
} from "../notifications/socket-host";
import { deliverWebhooks, queueWebhooks, webhooksMayListen, type WebhookHost } from "../webhooks/delivery";
import { recordRun, type WebhookRecord } from "../webhooks/webhooks.store";
import type { WebhookRun } from "../webhooks/webhooks.schema";

interface Clock {
  serial: number;
  lastMs: number;
}

const CLOCK_KEY = "clock";
const USAGE_PREFIX = "usage:";
/** Usage entries are written to D1 at most this long after the call. */
const USAGE_FLUSH_DELAY_MS = 1000;

/** Objects constructed by this isolate (the notifications tests' proof of hibernation: `Host.debug`). */
let constructed = 0;

export class AccountDO extends DurableObject<Env> {
  private readonly lock = new WriteLock();
  private tree: { userId: number; loading: Promise<StreamTree<StreamRow>> } | null = null;
  private readonly callers = new CallerCaches();
  private usageSeq = 0;
  /** Engine.IO long-polling sessions (state in storage; held GETs in memory). */
  private readonly polling: Polling;
  /** This instance (in memory only: another after eviction). */
  private readonly instance = crypto.randomUUID();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    constructed++;
    this.polling = new Polling(ctx.storage.kv, env);
    // Keepalive of the plain JSON socket, answered by the runtime without waking the object (docs/notifications.md).
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Runs one write method call under the account's write lock. */
  async execute(input: CallInput): Promise<CallOutcome> {
    return this.lock.run(() => this.run(input));
  }

  /** Runs consecutive write calls of one batch in order, under one lock acquisition. */
  async executeAll(inputs: CallInput[]): Promise<CallOutcome[]> {
    return this.lock.run(async () => {
      const outcomes: CallOutcome[] = [];
      for (const input of inputs) outcomes.push(await this.run(input));
      return outcomes;
    });
  }

  /** Extends a personal access's login session (sliding expiry). */
  async touchSession(userId: number, accessId: string): Promise<void> {
    await this.lock.run(async () => {
      this.callers.clear();
      await touchSession(this.env, userId, accessId);
    });
  }

  /**
   * Takes usage entries after calls were answered. They wait in this
   * object's storage (durable) and are written to D1 together shortly after,
   * or at once when a reader asks (`flushUsage`).
   */
  async recordUse(entries: UsageEntry[]): Promise<void> {
    if (!entries.length) return;
    this.ctx.storage.kv.put(`${USAGE_PREFIX}${Date.now()}:${++this.usageSeq}`, entries);
    await this.wakeUpIn(USAGE_FLUSH_DELAY_MS);
  }

  /** Writes pending usage entries now (before reading the trail or the counters). */
  async flushUsage(): Promise<void> {
    await this.lock.run(() => this.writeUsage());
  }

  /** Registers an upload before its bytes are written (see file-ledger.ts). */
  async beginUpload(key: string): Promise<void> {
    markPending(this.ctx.storage.kv, key);
    await this.wakeUpIn(PENDING_TTL_MS);
  }

  /** Records the multipart upload writing a pending file, before its first part. */
  async recordMultipart(key: string, uploadId: string): Promise<void> {
    recordMultipart(this.ctx.storage.kv, key, uploadId);
  }

  /** Removes uploads whose call failed. */
  async abandonUploads(keys: string[]): Promise<void> {
    await this.lock.run(async () => {
      this.ledger().discard(keys);
      await this.sweep();
    });
  }

  override async alarm(): Promise<void> {
    // Each duty on its own: a failing D1 write must not stop the sockets' pings or the webhooks.
    // The first failure is thrown at the end, so the runtime retries the alarm.
    const duties: (() => Promise<unknown>)[] = [
      () => this.flushUsage(),
      () => this.lock.run(() => this.sweep()),
      async () => {
        if (pingSockets(this.host())) await this.wakeUpIn(pingInterval(this.env));
      },
      () => deliverWebhooks(this.webhookHost()),
    ];
    let failure: unknown = null;
    for (const duty of duties) {
      try {
        await duty();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== null) throw failure;
  }

  /**
   * A socket request, its token already authenticated by the Worker
   * (src/notifications/socket-route.ts): `/socket` an Engine.IO WebSocket
   * (new, or the upgrade of polling session `sid`), `/poll` an Engine.IO
   * polling request, `/json` the plain JSON WebSocket.
   */
  override async fetch(request: Request): Promise<Response> {
    const grant = readGrant(request);
    if (!grant) return new Response("missing grant", { status: 400 });
    const url = new URL(request.url);
    const sid = url.searchParams.get("sid");
    // Engine.IO connections need the alarm (pings, expiry); the JSON socket does not.
    if (url.pathname !== "/json") await this.wakeUpIn(pingInterval(this.env));
    if (url.pathname === "/poll") return this.polling.request(this.host(), request, grant, sid);
    return acceptSocket(this.host(), grant, { sid, json: url.pathname === "/json" });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await onMessage(this.host(), ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  private host(): Host {
    return {
      env: this.env,
      ctx: this.ctx,
      write: (input) => this.execute(input),
      read: (input) => runCall(this.env, input, null, { waitUntil: (p) => this.ctx.waitUntil(p) }),
      recordUse: (entries) => this.recordUse(entries),
      polling: this.polling,
      debug:
        getConfig(this.env).isLocal && this.env.SOCKET_DEBUG === "true" ? () => ({ instance: this.instance, constructed }) : undefined,
    };
  }

  private async sweep(): Promise<void> {
    const nextDue = await sweepFiles(this.ctx.storage.kv, this.env.FILES, Date.now());
    if (nextDue !== null) await this.wakeUpIn(Math.max(0, nextDue - Date.now()));
  }

  /** The alarm rings at the latest in `ms`. */
  private async wakeUpIn(ms: number): Promise<void> {
    const at = Date.now() + ms;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private ledger() {
    return createFileLedger(this.ctx.storage.kv, (ms) => {
      this.ctx.waitUntil(
        this.wakeUpIn(ms).catch((err: unknown) => logFailure("alarm", err)),
      );
    });
  }

  private async writeUsage(): Promise<void> {
    const keys: string[] = [];
    const entries: UsageEntry[] = [];
    for (const [key, value] of this.ctx.storage.kv.list<UsageEntry[]>({ prefix: USAGE_PREFIX })) {
      keys.push(key);
      entries.push(...value);
    }
    if (!entries.length) return;
    const db = createDb(this.env.DB);
    const byUser = Map.groupBy(entries, (e) => e.userId);
    for (const [userId, mine] of byUser) {
      // Entries of an account deleted meanwhile have nothing left to describe.
      const exists = await db.select({ id: users.id }).from(users).where(eq(users.id, userId)).get();
      if (exists) await runBatch(db, await usageStatements(db, userId, mine));
    }
    for (const key of keys) this.ctx.storage.kv.delete(key);
    // Counters and lastUsed changed: cached accesses are stale.
    this.callers.clear();
  }

  private async run(input: CallInput): Promise<CallOutcome> {
    // The commit hook reads the state before the write only when someone listens (sockets, webhooks).
    const listening = webhooksMayListen(this.ctx.storage.kv, input.methodId) || hasListeners(this.host());
    const db = createDb(this.env.DB);
    const probe = listening
      ? await probeBefore(db, input.username, input.methodId, input.params, (id) => this.streamTree(id)).catch(() => null)
      : null;
    const outcome = await runCall(this.env, input, this.writer(), { callerCache: this.callers.for(input.token) });
    if (changesCaller(input.methodId)) this.callers.clear();
    if (probe && outcome.ok) await this.notify(probe, input, outcome);
    return outcome;
  }

  /** The commit hook: tells the sockets of what this write changed (still under the lock: commit order). */
  private async notify(
    probe: NonNullable<Awaited<ReturnType<typeof probeBefore>>>,
    input: CallInput,
    outcome: CallOutcome & { ok: true },
  ): Promise<void> {
    try {
      const after = await this.streamTree(probe.userId);
      const change: Change | null = describeChange(probe, input.methodId, input.params, outcome.result, outcome.accessId, after);
      if (!change) return;
      // Each listener kind on its own: a failed socket push must not lose the webhooks' messages.
      await notifyChange(this.host(), change).catch((err: unknown) => logFailure("notifications", err));
      await queueWebhooks(this.webhookHost(), change);
    } catch (err) {
      logFailure("notifications", err);
    }
  }

  /** Records a webhook's run under the write lock (deliveries and webhooks.test call it after their call). */
  async recordWebhookRun(userId: number, webhookId: string, run: WebhookRun, countsAsRetry: boolean): Promise<WebhookRecord | null> {
    return this.lock.run(() => recordRun(createDb(this.env.DB), userId, webhookId, run, countsAsRetry));
  }

  private webhookHost(): WebhookHost {
    return {
      env: this.env,
      kv: this.ctx.storage.kv,
      wakeUpIn: (ms) => this.wakeUpIn(ms),
      recordRun: (userId, webhookId, run, countsAsRetry) => this.recordWebhookRun(userId, webhookId, run, countsAsRetry),
    };
  }

  private writer(): AccountWriter {
    const storage = this.ctx.storage.kv;
    const loginGuard = createLoginGuard(storage, getConfig(this.env).login);
    return {
      stamp: (): WriteStamp => {
        const clock = storage.get<Clock>(CLOCK_KEY) ?? { serial: 0, lastMs: 0 };
        const next = { serial: clock.serial + 1, lastMs: Math.max(Date.now(), clock.lastMs + 1) };
        storage.put(CLOCK_KEY, next);
        return { serial: next.serial, time: next.lastMs / 1000 };
      },
      loginGuard,
      streamTree: (userId) => this.streamTree(userId),
      streamsChanged: () => {
        this.tree = null;
      },
      files: this.ledger(),
      mfaSessions: createMfaSessions(storage),
      forgetAccount: () => {
        for (const [key] of storage.list({ prefix: USAGE_PREFIX })) storage.delete(key);
        loginGuard.reset();
        this.tree = null;
        this.callers.clear();
        closeAll(this.host(), "account deleted");
      },
    };
  }

  /** Keyed by user id: an account deleted and created again under the same name is another account. */
  private streamTree(userId: number): Promise<StreamTree<StreamRow>> {
    if (!this.tree || this.tree.userId !== userId) {
      const loading = loadStreamTree(createDb(this.env.DB), userId);
      this.tree = { userId, loading };
      loading.catch(() => {
        if (this.tree?.loading === loading) this.tree = null;
      });
    }
    return this.tree.loading;
  }
}
