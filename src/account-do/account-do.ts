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
import { KEEPS_RECENT_EVENTS, RecentEvents } from "./recent-events";
import { createFileLedger, markPending, PENDING_TTL_MS, recordMultipart, sweepFiles } from "./file-ledger";
import { touchSession } from "../accesses/sessions";
import { usageStatements, type UsageEntry } from "../accesses/usage";
import { eq } from "drizzle-orm";
import { createDb, runBatch } from "../db/client";
import { users } from "../db/schema";
import type { StreamTree } from "../streams/stream-tree";
import { loadStreamTree, type StreamRow } from "../streams/streams.store";
import { Commits, type AccountWriter } from "./account-writer";
import { WriteClock } from "./write-clock";
import { createLoginGuard } from "./login-guard";
import { createMfaSessions } from "../mfa/mfa-sessions";
import { WriteLock } from "./write-lock";
import { accountEnv, latestBookmark } from "../db/replicas";
import { logFailure } from "../shared/log";
import { describeChange, probeBefore, type Change, type Probe } from "../notifications/changes";
import { findMethod } from "../methods/registry";
import { countingD1, newTrace, traceEnabled, withTrace } from "../shared/trace";
import { Polling } from "../notifications/polling";
import {
  acceptSocket,
  closeAll,
  hasListeners,
  notifyChange,
  notifyChanges,
  onMessage,
  pingInterval,
  pingSockets,
  readGrant,
  type Host,
} from "../notifications/socket-host";
import { deliverWebhooks, queueWebhooks, webhooksMayListen, type WebhookHost } from "../webhooks/delivery";
import { recordRun, type WebhookRecord } from "../webhooks/webhooks.store";
import type { WebhookRun } from "../webhooks/webhooks.schema";
import type { ApiEvent } from "../events/events.schema";

/** Bench mode: the object's D1 counts its round trips into the current trace. */
const counted = (env: Env): Env => (traceEnabled(env) ? { ...env, DB: countingD1(env.DB) } : env);

const commitsInGroup = (input: CallInput) => findMethod(input.methodId)?.commitsInGroup === true;

/** The event an `events.update` call names (null for any other call). */
function updatedEventId(input: CallInput): string | null {
  if (input.methodId !== "events.update") return null;
  const id = (input.params as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : null;
}

/**
 * Changes of one group as one (same account, same trees: a group changes no
 * stream): a listener is told once what any of them would have told it.
 */
function joined(changes: Change[]): Change | null {
  const [first, ...rest] = changes;
  if (!first || !rest.length) return first ?? null;
  const union = (lists: (string[] | null | undefined)[]) => [...new Set(lists.flatMap((l) => l ?? []))];
  const events = changes.some((c) => c.events)
    ? { before: union(changes.map((c) => c.events?.before)), after: union(changes.map((c) => c.events?.after)) }
    : null;
  const streams = changes.some((c) => c.streams) ? union(changes.map((c) => c.streams)) : null;
  const accesses = changes.some((c) => c.accesses) ? changes.flatMap((c) => c.accesses ?? []) : null;
  return { ...first, events, streams, accesses, recheckTokens: changes.some((c) => c.recheckTokens) };
}

interface WaitingGroup {
  inputs: CallInput[];
  /** Its place in the lock's line (WriteLock.queued when it was queued). */
  ticket: number;
  outcomes: Promise<CallOutcome[]>;
}

const USAGE_PREFIX = "usage:";
/** Usage entries are written to D1 at most this long after the call. */
const USAGE_FLUSH_DELAY_MS = 1000;

/** How long a group may rely on a kept event copy after checking it (far longer than a group runs). */
const GROUP_RELIES_MS = 10_000;

/** Objects constructed by this isolate (the notifications tests' proof of hibernation: `Host.debug`). */
let constructed = 0;

export class AccountDO extends DurableObject<Env> {
  private readonly lock = new WriteLock();
  private tree: { userId: number; loading: Promise<StreamTree<StreamRow>> } | null = null;
  private readonly callers = new CallerCaches();
  private readonly recentEvents = new RecentEvents();
  private readonly clock = new WriteClock(this.ctx.storage.kv, this.ctx.id.toString());
  // A group's stamps are saved in D1 with its writes, in the same transaction.
  private readonly commits = new Commits(() => createDb(this.env.DB), (db) => this.clock.pendingSave(db));
  private accountWriter: AccountWriter | null = null;
  private usageSeq = 0;
  /** The group of grouped calls waiting for the lock, while more may join it (see joinGroup). */
  private waiting: WaitingGroup | null = null;
  /** Engine.IO long-polling sessions (state in storage; held GETs in memory). */
  private readonly polling: Polling;
  /** This instance (in memory only: another after eviction). */
  private readonly instance = crypto.randomUUID();

  constructor(ctx: DurableObjectState, env: Env) {
    // D1_READ_REPLICAS=on: every D1 call of this object runs on one session whose commit bookmark it keeps.
    super(ctx, counted(accountEnv(env, ctx.storage.kv)));
    constructed++;
    this.polling = new Polling(ctx.storage.kv, env);
    // Keepalive of the plain JSON socket, answered by the runtime without waking the object (docs/notifications.md).
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Runs one write method call under the account's write lock. */
  async execute(input: CallInput): Promise<CallOutcome> {
    if (commitsInGroup(input)) return (await this.joinGroup([input]))[0]!;
    const [outcome] = await this.traced(() => this.lock.run(async () => [await this.run(input)]));
    return outcome!;
  }

  /**
   * Runs consecutive write calls of one batch in order, under one lock
   * acquisition; consecutive `commitsInGroup` calls commit together.
   */
  async executeAll(inputs: CallInput[]): Promise<CallOutcome[]> {
    if (inputs.length && inputs.every(commitsInGroup)) return this.joinGroup(inputs);
    return this.traced(() =>
      this.lock.run(async () => {
        const outcomes: CallOutcome[] = [];
        for (let i = 0; i < inputs.length; ) {
          if (!commitsInGroup(inputs[i]!)) {
            outcomes.push(await this.run(inputs[i++]!));
            continue;
          }
          const group: CallInput[] = [];
          while (i < inputs.length && commitsInGroup(inputs[i]!)) group.push(inputs[i++]!);
          outcomes.push(...(await this.runGroup(group)));
        }
        return outcomes;
      }),
    );
  }

  /**
   * `commitsInGroup` calls of requests arriving while the lock is taken wait
   * in one group, which runs once the lock is free and commits in one D1
   * transaction (runGroup): concurrent creates on an account share a round
   * trip instead of queueing for one each. A request joins only the last task
   * in line, so writes still run in their order of arrival, and it gets its
   * own calls' outcomes (a failed commit re-runs each call on its own).
   */
  private async joinGroup(inputs: CallInput[]): Promise<CallOutcome[]> {
    let group = this.waiting;
    if (!group || group.ticket !== this.lock.queued) {
      const fresh: WaitingGroup = { inputs: [], ticket: 0, outcomes: Promise.resolve([]) };
      fresh.outcomes = this.traced(() =>
        this.lock.run(() => {
          if (this.waiting === fresh) this.waiting = null; // started: later calls form the next group
          return this.runGroup(fresh.inputs);
        }),
      );
      fresh.ticket = this.lock.queued;
      this.waiting = group = fresh;
    }
    const from = group.inputs.length;
    group.inputs.push(...inputs);
    return (await group.outcomes).slice(from, from + inputs.length);
  }

  /** Bench mode: what the calls cost here (D1 round trips, phases), on the first outcome. */
  private async traced(run: () => Promise<CallOutcome[]>): Promise<CallOutcome[]> {
    if (!traceEnabled(this.env)) return run();
    const trace = newTrace();
    const outcomes = await withTrace(trace, run);
    if (outcomes[0]) outcomes[0].trace = trace;
    return outcomes;
  }

  /** The account's latest commit bookmark, where its reads start (src/db/replicas.ts); no D1 call. */
  latestBookmark(): string | null {
    return latestBookmark(this.env);
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
      writeAll: (inputs) => this.executeAll(inputs),
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

  /** The commit hook reads the state before a write only when someone listens (sockets, webhooks). */
  private listening(input: CallInput): boolean {
    return webhooksMayListen(this.ctx.storage.kv, input.methodId) || hasListeners(this.host());
  }

  /** One write call, committed at once, then told of. */
  private async run(input: CallInput): Promise<CallOutcome> {
    this.loadClock();
    const db = createDb(this.env.DB);
    const probe = this.listening(input)
      ? await probeBefore(db, input.username, input.methodId, input.params, (id) => this.streamTree(id)).catch(() => null)
      : null;
    const outcome = await this.call(input);
    if (probe && outcome.ok) await this.tell(await this.describe(probe, input, outcome));
    return outcome;
  }

  /**
   * A fresh instance reads its clock while the call's own first D1 reads
   * (the caller, cold in a fresh instance too) run: the call's first stamp
   * waits for it (a failure fails that call; the next one reads again).
   */
  private loadClock(): void {
    this.clock.ready(this.env.DB).catch(() => undefined);
  }

  private async call(input: CallInput): Promise<CallOutcome> {
    const outcome = await runCall(this.env, input, this.writer(), { callerCache: this.callers.for(input.token) });
    if (changesCaller(input.methodId)) this.callers.clear();
    if (!KEEPS_RECENT_EVENTS.has(input.methodId)) this.recentEvents.clear();
    return outcome;
  }

  /**
   * Consecutive `commitsInGroup` calls: their writes queue and are committed
   * as one D1 transaction (several when the group grows big), then told of.
   * A commit that fails changed nothing: its calls run again one by one, each
   * with its own outcome (a taken id then fails its own call only), new
   * stamps included (those of the failed attempt are not reused).
   */
  private async runGroup(inputs: CallInput[]): Promise<CallOutcome[]> {
    const outcomes: CallOutcome[] = [];
    /** Per call: the streams its event was in before it (what listeners are told it left). */
    const before: string[][] = [];
    let from = 0;
    this.loadClock();
    this.commits.open();
    try {
      await this.primeUpdates(inputs);
      for (const input of inputs) {
        const kept = this.groupable(input);
        if (!kept) {
          // It reads D1: what the group queued is committed first, and it runs on its own.
          await this.settle(inputs, outcomes, before, from);
          this.commits.close();
          outcomes.push(await this.run(input));
          before.push([]);
          this.commits.open();
          from = outcomes.length;
          continue;
        }
        const mark = this.commits.mark();
        before.push(kept === true ? [] : kept.streamIds);
        const outcome = await this.call(input);
        if (!outcome.ok) this.commits.dropFrom(mark);
        outcomes.push(outcome);
        if (this.commits.full) {
          await this.settle(inputs, outcomes, before, from);
          from = outcomes.length;
        }
      }
      await this.settle(inputs, outcomes, before, from);
    } finally {
      this.commits.close();
    }
    return outcomes;
  }

  /**
   * Whether a grouped call may run inside the group: creates always (true);
   * an update only of an event this object keeps (then that copy, which is
   * exact even while the group's writes wait: every grouped write keeps its
   * result). An update of any other event would read D1, which does not hold
   * the group's writes yet (null).
   */
  private groupable(input: CallInput): ApiEvent | true | null {
    if (input.methodId !== "events.update") return true;
    const id = updatedEventId(input);
    return id === null ? null : this.recentEvents.kept(id, GROUP_RELIES_MS);
  }

  /**
   * Before a group runs (nothing of it queued yet): the events its updates
   * name that this object does not keep are read in one round trip and kept,
   * so those updates run inside the group too — a batch or a burst of updates
   * of older events costs one read and one commit, not a read and a commit
   * each. Should the read fail, each such update reads on its own as before.
   */
  private async primeUpdates(inputs: CallInput[]): Promise<void> {
    const ids = inputs.map(updatedEventId).filter((id): id is string => id !== null);
    const username = inputs[0]?.username;
    if (!ids.length || !username) return;
    await this.recentEvents.prime(createDb(this.env.DB), username, ids, GROUP_RELIES_MS).catch((err: unknown) => logFailure("update targets", err));
  }

  /** Commits the group's calls from `from` on, then tells of them, in call order. */
  private async settle(inputs: CallInput[], outcomes: CallOutcome[], before: string[][], from: number): Promise<void> {
    try {
      await this.commits.flush();
    } catch {
      this.commits.close();
      // The object's copies may hold versions of that attempt, which never reached D1.
      this.recentEvents.clear();
      // (A call that failed did so on its own: it would fail again.)
      for (let k = from; k < outcomes.length; k++) if (outcomes[k]!.ok) outcomes[k] = await this.run(inputs[k]!);
      this.commits.open();
      return;
    }
    const changes: Change[] = [];
    const listened = new Map<string, boolean>(); // per method: asking costs a storage read
    const listens = (input: CallInput) => listened.get(input.methodId) ?? listened.set(input.methodId, this.listening(input)).get(input.methodId)!;
    for (let k = from; k < outcomes.length; k++) {
      const outcome = outcomes[k]!;
      if (!outcome.ok || outcome.userId === null || !listens(inputs[k]!)) continue;
      // A grouped call changes no stream: the tree of now is the tree before it.
      const probe: Probe = { userId: outcome.userId, tree: await this.streamTree(outcome.userId), eventStreams: before[k]!, access: null };
      const change = await this.describe(probe, inputs[k]!, outcome);
      if (change) changes.push(change);
    }
    // Sockets are told of each write (their accesses read once for the group); webhooks, which merge messages anyway, once.
    if (changes.length) await notifyChanges(this.host(), changes).catch((err: unknown) => logFailure("notifications", err));
    await this.tell(joined(changes), { sockets: false });
  }

  private async describe(probe: Probe, input: CallInput, outcome: CallOutcome & { ok: true }): Promise<Change | null> {
    try {
      const after = await this.streamTree(probe.userId);
      return describeChange(probe, input.methodId, input.params, outcome.result, outcome.accessId, after);
    } catch (err) {
      logFailure("notifications", err);
      return null;
    }
  }

  /** The commit hook: tells the sockets and webhooks of what a write changed (still under the lock: commit order). */
  private async tell(change: Change | null, to: { sockets?: false; webhooks?: false } = {}): Promise<void> {
    if (!change) return;
    try {
      // Each listener kind on its own: a failed socket push must not lose the webhooks' messages.
      if (to.sockets !== false) await notifyChange(this.host(), change).catch((err: unknown) => logFailure("notifications", err));
      if (to.webhooks !== false) await queueWebhooks(this.webhookHost(), change);
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

  /** The same for every call (it keeps nothing of its own). */
  private writer(): AccountWriter {
    return (this.accountWriter ??= this.newWriter());
  }

  private newWriter(): AccountWriter {
    const storage = this.ctx.storage.kv;
    const loginGuard = createLoginGuard(storage, getConfig(this.env).login);
    return {
      stamp: async () => {
        await this.clock.ready(this.env.DB);
        return this.clock.next(this.commits.queueing);
      },
      loginGuard,
      streamTree: (userId) => this.streamTree(userId),
      streamsChanged: () => {
        this.tree = null;
      },
      files: this.ledger(),
      mfaSessions: createMfaSessions(storage),
      commit: (work) => this.commits.commit(work),
      recentEvents: this.recentEvents,
      forgetAccount: () => {
        for (const [key] of storage.list({ prefix: USAGE_PREFIX })) storage.delete(key);
        loginGuard.reset();
        this.tree = null;
        this.recentEvents.clear();
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
