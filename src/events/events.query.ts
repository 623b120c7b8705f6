/**
 * events.get in SQL: the streams scope (expanded to descendants from the
 * account's stream tree), the filters of the reference, and results read page by
 * page in (time, id) order so large answers are streamed, never built whole.
 */
import { sql, type SQL } from "drizzle-orm";
import { HIDDEN_SYSTEM_STREAM_IDS, getSystemStream, systemSubtree } from "../account/system-streams";
import type { UserRecord } from "../account/account.store";
import type { Db } from "../db/client";
import { allRows } from "../db/render-sql";
import { jsonList } from "../db/sql";
import { listSizes } from "./stream-sizes";
import { errors } from "../errors";
import type { ApiEvent, EventDeletion, EventsGetParams } from "./events.schema";
import { contentConditionsSql, preferredIndex } from "./content-query";
import { toDeletion } from "./events.store";
import { PAGE_COLUMNS, PAGE_ROWS, PAGE_ROW_COLUMNS, joinedRows, pageOf, pageOfRow, pageRowsOf, type Page, type PageEvent, type PageEventRow, type PageRow } from "./page-row";
import { namedStreams, type StreamRef, type StreamsQuery } from "./streams-query";
import type { StreamTree, TreeStream } from "../streams/stream-tree";

const PAGE_SIZE = PAGE_ROWS;
/** Running periods count as "now" while the window reaches this close to the present (as the reference). */
const RUNNING_MARGIN_SECONDS = 5;

/** One OR-term of the scope: stream id lists (already expanded); `any: null` means every stream. */
interface ScopeClause {
  any: string[] | null;
  all: string[][];
  not: string[];
}

export interface Scope {
  /** The queries as parsed (a sync judges past versions of events against them). */
  queries: StreamsQuery[];
  clauses: ScopeClause[];
  /** The streams the query names: a sync reports events entering their scope (leaving: see scope-exits.ts). */
  roots: string[];
  /** Streams the caller may read events of (null: all, for personal accesses); an event needs one of them. */
  readable: string[] | null;
}

/** What a non-personal caller may see, from the permission module. */
export interface Visibility {
  /** Streams whose existence may be told (the others count as unknown). */
  listable: (streamId: string) => boolean;
  readable: string[];
}

/**
 * The named (non-system) streams that exist, and the descendants of each.
 * Without `withTrashed`, a trashed stream brings nothing (itself included)
 * though it exists.
 */
function expandInTree(tree: StreamTree<TreeStream>, ids: string[], withTrashed: boolean) {
  const existing = new Set(ids.filter((id) => tree.has(id)));
  const expanded = new Map<string, string[]>();
  for (const id of existing) {
    const subtree = tree.subtree(id, withTrashed);
    if (subtree.length) expanded.set(id, subtree);
  }
  return { existing, expanded };
}

/**
 * Resolves the queries: every stream named in `any` must exist
 * (`unknown-referenced-resource` otherwise); each name is expanded to the
 * stream and its descendants (trashed ones only when `state` is not default).
 */
export function resolveScope(
  tree: StreamTree<TreeStream>,
  queries: StreamsQuery[],
  state: string,
  visibility: Visibility | null = null,
): Scope {
  const named = namedStreams(queries);
  const ordinary = [...new Set(named.filter((r) => !getSystemStream(r.id)).map((r) => r.id))];
  const { existing, expanded } = expandInTree(tree, ordinary, state !== "default");
  const isKnown = (id: string) =>
    (existing.has(id) || (getSystemStream(id)?.shown ?? false)) && (visibility?.listable(id) ?? true);
  const unknown = [...new Set(queries.flatMap((q) => q.any ?? []).map((r) => r.id))].filter((id) => !isKnown(id));
  if (unknown.length) {
    throw errors.unknownReferencedResource(unknown.length > 1 ? "streams" : "stream", "streams", unknown);
  }
  const expand = (refs: StreamRef[]): string[] => {
    const out = new Set<string>();
    for (const ref of refs) {
      if (getSystemStream(ref.id)) for (const id of ref.exact ? [ref.id] : systemSubtree(ref.id)) out.add(id);
      else if (ref.exact) expanded.has(ref.id) && out.add(ref.id);
      else for (const id of expanded.get(ref.id) ?? []) out.add(id);
    }
    return [...out];
  };
  return {
    queries,
    clauses: queries.map((q) => ({
      any: q.any === null ? null : expand(q.any),
      all: q.all.map((ref) => expand([ref])),
      not: expand(q.not),
    })),
    roots: [...new Set(named.map((r) => r.id))],
    readable: visibility?.readable ?? null,
  };
}

/** Optional bounds on `event_streams.time` (a copy of the event's time) narrowing the stream lookups. */
interface TimeBounds {
  lowest: SQL | null;
  highest: number | null;
}

/** How many events the streams `ids` hold, as far as known (src/events/stream-sizes.ts; see filedUnder). */
type ListSize = (ids: string[]) => "large" | "small" | "tiny" | null;
const unknownSizes: ListSize = () => null;

/**
 * "Filed under one of `ids`". Two forms, the same rows: an uncorrelated
 * sub-select, whose id set SQLite builds once per query — cheap for streams
 * of few events, but it costs every event filed there, 100 000 for the
 * latest 20 of a big stream; or, for `large` lists, a correlated probe of
 * each row the time-ordered scan meets (event_streams_event), which stops
 * with the limit — a few rows in a big stream, but a probe per event of the
 * account when the streams hold few.
 */
function filedUnder(userId: number, ids: string[], bounds: TimeBounds, large: boolean) {
  if (large) {
    return sql`EXISTS (SELECT 1 FROM event_streams es INDEXED BY event_streams_event
      WHERE es.user_id = e.user_id AND es.event_id = e.id AND es.stream_id IN ${jsonList(ids)})`;
  }
  const low = bounds.lowest ? sql` AND es.time >= ${bounds.lowest}` : sql``;
  const high = bounds.highest !== null ? sql` AND es.time <= ${bounds.highest}` : sql``;
  return sql`e.id IN (SELECT es.event_id FROM event_streams es
    WHERE es.user_id = ${userId} AND es.stream_id IN ${jsonList(ids)}${low}${high})`;
}

/** The scope as a condition on `e` (hidden system-stream events are never in it). */
export function scopeCondition(
  userId: number,
  scope: Scope,
  bounds: TimeBounds = { lowest: null, highest: null },
  sizeOf: ListSize = unknownSizes,
): SQL {
  const filed = (ids: string[], within: TimeBounds) => filedUnder(userId, ids, within, sizeOf(ids) === "large");
  const clauses = scope.clauses.map((clause) => {
    const parts: SQL[] = [];
    if (clause.any !== null) parts.push(filed(clause.any, bounds));
    for (const ids of clause.all) parts.push(filed(ids, bounds));
    // Exclusions are not bounded: an event outside the window is excluded anyway.
    if (clause.not.length) parts.push(sql`NOT ${filed(clause.not, { lowest: null, highest: null })}`);
    return parts.length ? sql`(${sql.join(parts, sql` AND `)})` : sql`1`;
  });
  // An event in several streams is visible when one of them is readable.
  const readable = scope.readable === null ? sql`1` : filed(scope.readable, bounds);
  return sql`(${sql.join(clauses, sql` OR `)}) AND ${readable} AND e.id NOT IN ${jsonList(HIDDEN_SYSTEM_STREAM_IDS)}`;
}

/** The stream lists of a scope (each becomes one filedUnder). */
function scopeLists(scope: Scope): string[][] {
  const lists = scope.clauses.flatMap((c) => [...(c.any ? [c.any] : []), ...c.all, ...(c.not.length ? [c.not] : [])]);
  return scope.readable === null ? lists : [...lists, scope.readable];
}

interface TimeWindow {
  from: number | null;
  to: number | null;
}

/** The reference's defaults: only toTime → a day before it; only fromTime → until now. */
function timeWindow(p: EventsGetParams, now: number): TimeWindow {
  if (p.fromTime === undefined && p.toTime !== undefined) return { from: p.toTime - 86400, to: p.toTime };
  if (p.fromTime !== undefined && p.toTime === undefined) return { from: p.fromTime, to: now };
  return { from: p.fromTime ?? null, to: p.toTime ?? null };
}

/** 20 when no time bound and no limit are given (the FAQ's "last 20 events"), else the given limit or none. */
export function effectiveLimit(p: EventsGetParams): number | null {
  if (p.limit !== undefined) return p.limit;
  return p.fromTime === undefined && p.toTime === undefined ? 20 : null;
}

interface Plan {
  /** Conditions on `e` besides time. */
  base: SQL[];
  /** Non-running events in the window (or all when there is no lower bound). */
  main: SQL | null;
  /** Running periods to merge in (when the window reaches now). */
  running: SQL | null;
  /** With modifiedSince: candidate ids (small set) to drive the query from. */
  candidates: SQL | null;
  /** An index the content conditions are served by (content-query.ts preferredIndex). */
  index: string | null;
  /** Sorted after reading, not read in time order (fromTinyList). */
  sortAfter: boolean;
}

/**
 * A scope of one known-tiny list of streams: the query may start from the
 * events filed there (their id set, then the events by key) and sort them,
 * rather than scan the account's events in time order to meet them — a few
 * rows, not 100 000, for a small stream in a big account.
 */
function fromTinyList(scope: Scope, sizeOf: ListSize): boolean {
  const [only, ...others] = scope.clauses;
  return !!only && !others.length && only.any !== null && sizeOf(only.any) === "tiny";
}

function plan(user: UserRecord, p: EventsGetParams, scope: Scope, now: number, sizeOf: ListSize): Plan {
  const window = timeWindow(p, now);
  // The stream lookups may be bounded by the window unless running periods (which start any time) are wanted.
  const windowOnly = p.running !== true && window.from !== null && !reachesNow(window, now);
  const bounds: TimeBounds = {
    lowest: windowOnly ? lowestStart(user, window.from!) : null,
    highest: window.to,
  };
  const base: SQL[] = [sql`e.user_id = ${user.id}`, sql`e.deleted IS NULL`, scopeCondition(user.id, scope, bounds, sizeOf)];
  if (p.state === "default") base.push(sql`e.trashed = 0`);
  if (p.state === "trashed") base.push(sql`e.trashed = 1`);
  const conditions = [...(p.content ?? []), ...(p.clientData ?? [])];
  base.push(...contentConditionsSql(conditions));
  const index = preferredIndex(conditions, p.types);
  if (p.types?.length) {
    const exact = p.types.filter((t) => !t.endsWith("/*"));
    const classes = p.types.filter((t) => t.endsWith("/*")).map((t) => `${t.slice(0, -1)}%`);
    const terms = [
      ...(exact.length ? [sql`e.type IN ${jsonList(exact)}`] : []),
      ...classes.map((pattern) => sql`e.type LIKE ${pattern}`),
    ];
    base.push(sql`(${sql.join(terms, sql` OR `)})`);
  }
  const candidates =
    p.modifiedSince === undefined
      ? null
      : scope.roots.length
        ? sql`SELECT id FROM events WHERE user_id = ${user.id} AND modified > ${p.modifiedSince}
              UNION SELECT event_id FROM event_scope_changes
                WHERE user_id = ${user.id} AND stream_id IN ${jsonList(scope.roots)} AND time > ${p.modifiedSince}`
        : sql`SELECT id FROM events WHERE user_id = ${user.id} AND modified > ${p.modifiedSince}`;

  const upTo = window.to === null ? sql`1` : sql`e.time <= ${window.to}`;
  const sortAfter = candidates === null && fromTinyList(scope, sizeOf);
  if (p.running) return { base, main: null, running: upTo, candidates, index, sortAfter };
  if (window.from === null) return { base, main: upTo, running: null, candidates, index, sortAfter };
  // Events overlapping the window; the longest duration in the account bounds the scan from below.
  const main = sql`e.time >= ${lowestStart(user, window.from)} AND ${upTo} AND e.end_time >= ${window.from}`;
  return { base, main, running: reachesNow(window, now) ? upTo : null, candidates, index, sortAfter };
}

/** Running periods are included while the window reaches the present (as the reference). */
function reachesNow(window: TimeWindow, now: number): boolean {
  const present = now - RUNNING_MARGIN_SECONDS;
  return window.from !== null && window.from <= present && (window.to === null || window.to >= present);
}

/**
 * The earliest start of an event overlapping a window from `from`. Read in
 * the query, not from the request's user row: an earlier call of a batch may
 * have raised the account's longest duration.
 */
function lowestStart(user: UserRecord, from: number): SQL {
  return sql`${from} - (SELECT max_event_duration FROM users WHERE id = ${user.id})`;
}

type Cursor = { time: number; id: string } | null;

/** One sorted source of events, read page by page with a (time, id) cursor. */
async function* pages(
  db: Db,
  where: SQL,
  candidates: SQL | null,
  ascending: boolean,
  /** Rows wanted at most (skip + limit), null: all. */
  wanted: number | null,
  { index = null, sortAfter = false }: { index?: string | null; sortAfter?: boolean } = {},
): AsyncGenerator<Page> {
  const order = ascending ? sql`ASC` : sql`DESC`;
  // `+` keeps SQLite from reading in index order: it then starts from the id set and sorts the few rows.
  const [time, id] = sortAfter ? [sql`+e.time`, sql`+e.id`] : [sql`e.time`, sql`e.id`];
  // Index names are the code's own constants, never input.
  const from = candidates
    ? sql`(${candidates}) AS c CROSS JOIN events e ON e.id = c.id`
    : index
      ? sql`events e INDEXED BY ${sql.raw(index)}`
      : sql`events e`;
  let cursor: Cursor = null;
  let left = wanted ?? Infinity;
  while (left > 0) {
    const size = Math.min(left, PAGE_SIZE);
    const after: SQL = cursor
      ? ascending
        ? sql`AND (e.time, e.id) > (${cursor.time}, ${cursor.id})`
        : sql`AND (e.time, e.id) < (${cursor.time}, ${cursor.id})`
      : sql``;
    const rows = (columns: SQL) => sql`SELECT ${columns} FROM ${from} WHERE ${where} ${after} ORDER BY ${time} ${order}, ${id} ${order} LIMIT ${size}`;
    let row = (await allRows<PageRow>(db, pageOf(rows(PAGE_COLUMNS), ascending)))[0]!;
    // An event without its text (a long one): the page is read again as rows, while under a size.
    if (row.joined < row.n) row = joinedRows(await allRows<PageEventRow>(db, pageRowsOf(rows(PAGE_ROW_COLUMNS), ascending)));
    const page = pageOfRow(row);
    if (!page) return;
    yield page;
    // Done when the query found fewer rows than asked and all of them were joined.
    if (row.n < size && row.joined === row.n) return;
    left -= row.joined;
    const last = page.last();
    cursor = { time: last.time, id: last.id };
  }
}

/** The events of `source`'s pages one by one (to merge two sources, or to skip some). */
async function* eachEvent(source: AsyncGenerator<Page>): AsyncGenerator<PageEvent> {
  for await (const page of source) yield* page.events();
}

async function* mergeSorted(a: AsyncGenerator<PageEvent>, b: AsyncGenerator<PageEvent>, ascending: boolean) {
  const before = (x: PageEvent, y: PageEvent) => {
    const cmp = x.time === y.time ? (x.id < y.id ? -1 : x.id > y.id ? 1 : 0) : x.time - y.time;
    return ascending ? cmp <= 0 : cmp >= 0;
  };
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && before(x.value, y.value))) {
      yield x.value as PageEvent;
      x = await a.next();
    } else {
      yield y.value;
      y = await b.next();
    }
  }
}

/** Stops as soon as the last wanted item is out: pulling one more would read a whole next page for nothing. */
async function* skipAndLimit<T>(source: AsyncGenerator<T>, skip: number, limit: number | null): AsyncGenerator<T> {
  if (limit === 0) return;
  let index = 0;
  for await (const item of source) {
    if (index++ < skip) continue;
    yield item;
    if (limit !== null && index >= skip + limit) return;
  }
}

/**
 * The events of events.get, in order, lazily (pages are read as the consumer pulls).
 * Not a generator itself: every layer of async generators costs each event a few awaits.
 */
export async function queryEvents(db: Db, user: UserRecord, p: EventsGetParams, scope: Scope, now: number): Promise<AsyncGenerator<Page | PageEvent>> {
  // Without a limit every event of the scope is read, in time order: sizes would change nothing.
  const sizeOf = effectiveLimit(p) === null ? unknownSizes : await listSizes(db, user.id, scopeLists(scope));
  return planned(db, user, p, scope, now, sizeOf);
}

function planned(db: Db, user: UserRecord, p: EventsGetParams, scope: Scope, now: number, sizeOf: ListSize): AsyncGenerator<Page | PageEvent> {
  const { base, main, running, candidates, index, sortAfter } = plan(user, p, scope, now, sizeOf);
  const ascending = p.sortAscending === true;
  const skip = p.skip ?? 0;
  const limit = effectiveLimit(p);
  const wanted = limit === null ? null : skip + limit;
  const where = (condition: SQL) => sql.join([...base, condition], sql` AND `);
  const sources: AsyncGenerator<Page>[] = [];
  if (candidates) {
    // A sync: changed events are few; one source holding both branches.
    const window = running && main ? sql`((${main}) OR (e.duration IS NULL AND ${running}))` : (main ?? sql`e.duration IS NULL AND ${running!}`);
    sources.push(pages(db, where(window), candidates, ascending, wanted));
  } else {
    if (main) sources.push(pages(db, where(main), null, ascending, wanted, { index, sortAfter }));
    if (running) sources.push(pages(db, where(sql`e.duration IS NULL AND ${running}`), null, ascending, wanted, { index, sortAfter }));
  }
  // One source stops at `wanted` by itself: with nothing to skip it needs no layer over it, and its pages go as they are.
  if (sources.length === 1 && skip === 0) return sources[0]!;
  const merged = sources.length === 2 ? mergeSorted(eachEvent(sources[0]!), eachEvent(sources[1]!), ascending) : eachEvent(sources[0]!);
  return skipAndLimit(merged, skip, limit);
}

/**
 * Deletions since `modifiedSince`: deletion records, and — beyond the
 * reference, so a sync misses nothing — events that left what the query
 * selects: `exits`, out of its streams' scope or out of what the caller may
 * read (see scope-exits.ts), or out of the requested state (trashed for a
 * default-state sync, restored for a trashed-state one).
 *
 * Deletion records are those of events filed (when deleted) under one of
 * `told` (null: all, for personal accesses; see the permission module's
 * readableStreamsWithDeleted). Filtered in SQL so that skip and limit count
 * what is sent (the exits join the same query). The state branch holds only
 * events the caller may read now (scope.readable).
 */
export async function* queryDeletions(
  db: Db,
  user: UserRecord,
  p: EventsGetParams,
  scope: Scope,
  told: string[] | null,
  exits: readonly EventDeletion[],
): AsyncGenerator<EventDeletion> {
  if (p.modifiedSince === undefined) return;
  const since = p.modifiedSince;
  const order = p.sortAscending ? sql`ASC` : sql`DESC`;
  const filedUnderTold =
    told === null ? sql`` : sql` AND EXISTS (SELECT 1 FROM json_each(events.stream_ids) j WHERE j.value IN ${jsonList(told)})`;
  const branches: SQL[] = [
    sql`SELECT id, deleted, integrity FROM events
      WHERE user_id = ${user.id} AND deleted IS NOT NULL AND deleted > ${since}${filedUnderTold}`,
  ];
  if (exits.length) {
    branches.push(sql`SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.deleted') AS deleted, NULL AS integrity
      FROM json_each(${JSON.stringify(exits)})`);
  }
  if (p.state !== "all") {
    const leftState = p.state === "default" ? sql`e.trashed = 1` : sql`e.trashed = 0`;
    branches.push(sql`SELECT e.id AS id, e.modified AS deleted, NULL AS integrity FROM events e
      WHERE e.user_id = ${user.id} AND e.deleted IS NULL AND e.modified > ${since} AND ${leftState}
        AND ${scopeCondition(user.id, scope)}`);
  }
  const union = sql.join(branches, sql` UNION ALL `);
  const limit = effectiveLimit(p);
  let offset = p.skip ?? 0;
  let remaining = limit ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const size = Math.min(PAGE_SIZE, remaining);
    const rows = await allRows<{ id: string; deleted: number; integrity: string | null }>(
      db,
      sql`SELECT id, deleted, integrity FROM (${union}) ORDER BY deleted ${order}, id ${order} LIMIT ${size} OFFSET ${offset}`,
    );
    for (const row of rows) yield toDeletion(row);
    if (rows.length < size) return;
    offset += size;
    remaining -= size;
  }
}
