/**
 * Which stream lists of an account hold many events: what events.get's plan
 * needs to know to pick the form of each "filed under" condition
 * (events.query.ts filedUnder). It is a choice of plan, not of rows: an
 * estimate kept a while by the isolate is enough, and a wrong one costs time,
 * never results. Lists not known yet are counted, up to LARGE_LIST, in one
 * D1 batch (one more round trip for the first read of a list per isolate and
 * LIFETIME).
 */
import { prepared, type Db } from "../db/client";

/**
 * A list is probed per row rather than gathered from this many filed events on (measured: issue 13), or
 * when it holds at least half of the account's events: the time-ordered scan then meets one of them at
 * least every other row, so it stops soon after the limit — a list's events all older than the others
 * make it read as many rows as the gathering would, at most 1.5 times its cost (SQLite, measured), while
 * the common case is a tenth of it (20 events of a stream of 1000 in an account of 1000: 0.1 ms, not 1).
 */
export const LARGE_LIST = 5000;
/** Below this many, a query of the list alone reads its events by key and sorts them. */
export const TINY_LIST = 250;
const LIFETIME_MS = 10 * 60_000;
const MAX_ENTRIES = 1000;

type Size = "large" | "small" | "tiny";
const known = new Map<string, { size: Size; at: number }>();
/** `n`: the list's events (up to LARGE_LIST); `all`: the account's (up to twice that). */
const sizeOf = (n: number, all: number): Size => (n >= LARGE_LIST ? "large" : n < TINY_LIST ? "tiny" : 2 * n >= all ? "large" : "small");

const COUNT_FILED = `SELECT count(*) AS n FROM (SELECT 1 FROM event_streams
  WHERE user_id = ? AND stream_id IN (SELECT value FROM json_each(?)) LIMIT ?)`;
const COUNT_EVENTS = `SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE user_id = ? AND deleted IS NULL LIMIT ?)`;

/** Whether each of `lists` is `large` (see LARGE_LIST), holds fewer than TINY_LIST events (`tiny`), or is between (`small`); null: not asked. */
export async function listSizes(db: Db, userId: number, lists: readonly string[][]): Promise<(ids: string[]) => Size | null> {
  const keyOf = (ids: string[]) => `${userId}\n${JSON.stringify(ids)}`;
  const now = Date.now();
  const unknown = new Map<string, string[]>();
  for (const ids of lists) {
    const entry = known.get(keyOf(ids));
    if (ids.length && (!entry || now - entry.at > LIFETIME_MS)) unknown.set(keyOf(ids), ids);
  }
  if (unknown.size) {
    const asked = [...unknown];
    // The account's own count rides in the same batch: no round trip of its own.
    const [all, ...counts] = await db.$client.batch<{ n: number }>([
      prepared(db, COUNT_EVENTS, [userId, 2 * LARGE_LIST]),
      ...asked.map(([, ids]) => prepared(db, COUNT_FILED, [userId, JSON.stringify(ids), LARGE_LIST])),
    ]);
    if (known.size + asked.length > MAX_ENTRIES) known.clear();
    const accountEvents = all?.results[0]?.n ?? 0;
    asked.forEach(([key], i) => known.set(key, { size: sizeOf(counts[i]?.results[0]?.n ?? 0, accountEvents), at: now }));
  }
  return (ids) => {
    const entry = ids.length ? known.get(keyOf(ids)) : undefined;
    return entry?.size ?? null;
  };
}
