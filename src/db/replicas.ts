/**
 * D1 read replicas (D1_READ_REPLICAS=on), through D1's Sessions API. The rule:
 * a read of an account is never older than the account's last commit.
 *
 * - Every write of an account runs in its Durable Object, on one session that
 *   started at the primary (`accountEnv`). After each D1 call the object keeps
 *   the session's bookmark — in memory and in its storage, so it outlives
 *   eviction — as the account's latest commit (`latestBookmark`).
 * - A read in the Worker asks the account's object for that bookmark (one hop,
 *   no D1) and starts its session there (`readDatabase`): any replica at least
 *   that fresh holds the account exactly as last committed, since no other
 *   path writes it. So a client never reads older than what it wrote or read,
 *   with no bookmark of its own (the official client works unchanged).
 * - No bookmark (nothing committed through the object yet, e.g. data written
 *   before the switch was turned on), or a write still waiting on D1 (it may be
 *   visible at some replica before the object knows its bookmark: a read seeing
 *   it there, then a read at a slower replica, would go back in time): the read
 *   starts at the primary ("first-primary").
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MiddlewareHandler } from "hono";
import { accountStub } from "../account-do/stub";
import { getConfig } from "../config";
import type { Env } from "../env";
import type { AppEnv } from "../http/app-env";
import { phase } from "../shared/trace";

const BOOKMARK_KEY = "d1-bookmark";
/** Reads start here when no bookmark applies. */
export const PRIMARY = "first-primary";
/** Local mode, switch on: the bookmark (or constraint) each read of the request started from. */
export const BOOKMARK_HEADER = "Pryv-D1-Bookmark";

interface Tracker {
  session: D1DatabaseSession;
  storage: SyncKvStorage;
  /** D1 calls that may write, not answered yet. */
  writesInFlight: number;
  stored: string | null;
}

const TRACKER = Symbol("account session");
const INNER = Symbol("statement");
const WRITES = Symbol("statement writes");

function replicasOn(env: Env): boolean {
  try {
    return getConfig(env).d1ReadReplicas;
  } catch {
    return false; // misconfigured: the Worker answers 503 anyway
  }
}

/**
 * The account's Durable Object's env: switch on, its `DB` is the object's one
 * session (first query at the primary), whose bookmarks are kept; off, `env`.
 */
export function accountEnv(env: Env, storage: SyncKvStorage): Env {
  if (!replicasOn(env)) return env;
  const tracker: Tracker = {
    session: env.DB.withSession(PRIMARY),
    storage,
    writesInFlight: 0,
    stored: storage.get<string>(BOOKMARK_KEY) ?? null,
  };
  return { ...env, DB: trackedDatabase(env.DB, tracker) };
}

/**
 * The account's latest commit bookmark, as `accountEnv`'s session knows it (no D1 call);
 * null while a write waits on D1, when none is known, or with the switch off.
 */
export function latestBookmark(env: Env): string | null {
  const tracker = trackerOf(env.DB);
  if (!tracker || tracker.writesInFlight > 0) return null;
  // A fresh session (after eviction) has none until its first query, which is at the primary: newer than the stored one.
  return tracker.session.getBookmark() ?? tracker.stored;
}

/**
 * The D1 a read of `username`'s account runs on. Switch off: `env.DB` (the primary).
 * In the account's Durable Object: its own session (sequentially consistent with its writes).
 * Without an account (register, service): the primary, whose data has no object's bookmark.
 * A caller this isolate does not know yet (`known` false) starts at the primary too, without
 * asking the object: no object is woken for a name that may not exist, and the first call of a
 * token, which reads the caller's state anyway, saves the hop.
 */
export async function readDatabase(env: Env, username: string | null, known = true): Promise<D1Database> {
  if (!username || trackerOf(env.DB) || !replicasOn(env)) return env.DB;
  const start = known ? ((await phase("bookmark", () => accountStub(env, username).latestBookmark())) ?? PRIMARY) : PRIMARY;
  notes.getStore()?.push(start);
  return sessionDatabase(env.DB, env.DB.withSession(start));
}

const notes = new AsyncLocalStorage<string[]>();

/** Local mode, switch on: answers `Pryv-D1-Bookmark` naming where each read of the request started (tests observe it). */
export const bookmarkHeader: MiddlewareHandler<AppEnv> = async (c, next) => {
  let observed = false;
  try {
    observed = getConfig(c.env).isLocal && replicasOn(c.env);
  } catch {
    // misconfigured: answered 503 by the app
  }
  if (!observed) return next();
  const started: string[] = [];
  await notes.run(started, next);
  if (started.length) c.header(BOOKMARK_HEADER, started.join(", "));
};

function trackerOf(db: D1Database): Tracker | undefined {
  return (db as unknown as Record<symbol, Tracker | undefined>)[TRACKER];
}

/** Drizzle takes a D1Database: a session lacks only `exec` and `dump`, which no query path uses. */
function sessionDatabase(parent: D1Database, session: D1DatabaseSession, extra: object = {}): D1Database {
  return Object.assign(
    {
      prepare: (query: string) => session.prepare(query),
      batch: <T>(statements: D1PreparedStatement[]) => session.batch<T>(statements),
      exec: () => Promise.reject(new Error("exec is not available in a D1 session")),
      dump: () => Promise.reject(new Error("dump is not available in a D1 session")),
      withSession: (constraintOrBookmark?: string) => parent.withSession(constraintOrBookmark),
    },
    extra,
  ) as D1Database;
}

/** The object's session, keeping its bookmark after each call and counting the writes not answered yet. */
function trackedDatabase(parent: D1Database, tracker: Tracker): D1Database {
  const { session } = tracker;
  const track = async <T>(writes: boolean, run: () => Promise<T>): Promise<T> => {
    if (writes) tracker.writesInFlight++;
    try {
      return await run();
    } finally {
      if (writes) tracker.writesInFlight--;
      const bookmark = session.getBookmark();
      if (bookmark && bookmark !== tracker.stored) {
        tracker.storage.put(BOOKMARK_KEY, bookmark);
        tracker.stored = bookmark;
      }
    }
  };
  const wrap = (stmt: D1PreparedStatement, writes: boolean): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === INNER) return target;
        if (prop === WRITES) return writes;
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values), writes);
        if (prop === "all" || prop === "first" || prop === "run" || prop === "raw") {
          return (...args: unknown[]) => track(writes, () => (target[prop] as (...a: unknown[]) => Promise<unknown>)(...args));
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  const field = <T>(stmt: D1PreparedStatement, key: symbol) => (stmt as unknown as Record<symbol, T | undefined>)[key];
  return sessionDatabase(parent, session, {
    [TRACKER]: tracker,
    // Anything but a plain select may write (drizzle's reads all start with `select`).
    prepare: (query: string) => wrap(session.prepare(query), !/^\s*select\b/i.test(query)),
    batch: <T>(statements: D1PreparedStatement[]) =>
      track(
        statements.some((s) => field<boolean>(s, WRITES) ?? true),
        () => session.batch<T>(statements.map((s) => field<D1PreparedStatement>(s, INNER) ?? s)),
      ),
  });
}
