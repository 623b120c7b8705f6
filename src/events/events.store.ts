/** Storage of events: rows ↔ API objects, and the statements that write them. */
import { and, asc, eq, getTableColumns, isNull, lt, sql, type SQL } from "drizzle-orm";
import { prepared, type Db, type Statement } from "../db/client";
import { jsonList } from "../db/sql";
import { eventHistory, events, eventScopeChanges, eventStreams, users } from "../db/schema";
import type { ApiEvent, Attachment, EventDeletion } from "./events.schema";

export type EventRow = typeof events.$inferSelect;

/** The columns of a row the API object is made of (not the account, the end time, the serial, the deletion). */
export type ApiEventRow = Omit<EventRow, "userId" | "endTime" | "serial" | "deleted" | "json">;

/** A live event row → the API object (null fields, `duration: 0` and `trashed: false` left out). */
export function toApiEvent(row: ApiEventRow): ApiEvent {
  const event: ApiEvent = {
    id: row.id,
    streamIds: JSON.parse(row.streamIds) as string[],
    type: row.type,
    time: row.time,
    created: row.created,
    createdBy: row.createdBy,
    modified: row.modified,
    modifiedBy: row.modifiedBy,
  };
  if (row.duration === null) event.duration = null;
  else if (row.duration !== 0) event.duration = row.duration;
  if (row.content !== null) event.content = JSON.parse(row.content) as unknown;
  if (row.description !== null) event.description = row.description;
  if (row.clientData !== null) event.clientData = JSON.parse(row.clientData) as Record<string, unknown>;
  if (row.attachments !== null) event.attachments = JSON.parse(row.attachments) as Attachment[];
  if (row.trashed) event.trashed = true;
  if (row.integrity !== null) event.integrity = row.integrity;
  return event;
}

export function toDeletion(row: Pick<EventRow, "id" | "deleted" | "integrity">): EventDeletion {
  const deletion: EventDeletion = { id: row.id, deleted: row.deleted ?? 0 };
  if (row.integrity) deletion.integrity = row.integrity;
  return deletion;
}

export async function findEventRow(db: Db, userId: number, id: string): Promise<EventRow | null> {
  return (await db.select().from(events).where(and(eq(events.userId, userId), eq(events.id, id))).get()) ?? null;
}

/**
 * The live events among `ids` of the account named `username`, with its user
 * id, in one round trip (a group of updates in the account's Durable Object
 * reads its targets at once).
 */
export async function findLiveEvents(db: Db, username: string, ids: readonly string[]): Promise<{ userId: number; event: ApiEvent }[]> {
  const rows = await db
    .select()
    .from(events)
    .where(
      and(
        eq(events.userId, sql`(SELECT ${users.id} FROM ${users} WHERE ${users.username} = ${username})`),
        sql`${events.id} IN ${jsonList(ids)}`,
        isNull(events.deleted),
      ),
    )
    .all();
  return rows.map((row) => ({ userId: row.userId, event: toApiEvent(row) }));
}

/** The columns of an event (its API form, integrity included). */
function columns(event: ApiEvent, serial: number) {
  const duration = event.duration === undefined ? 0 : event.duration;
  return {
    streamIds: JSON.stringify(event.streamIds),
    type: event.type,
    time: event.time,
    duration,
    endTime: duration === null ? null : event.time + duration,
    content: event.content === undefined || event.content === null ? null : JSON.stringify(event.content),
    description: event.description ?? null,
    clientData: event.clientData ? JSON.stringify(event.clientData) : null,
    attachments: event.attachments?.length ? JSON.stringify(event.attachments) : null,
    trashed: event.trashed === true,
    integrity: event.integrity ?? null,
    created: event.created,
    createdBy: event.createdBy,
    modified: event.modified,
    modifiedBy: event.modifiedBy,
    serial,
    deleted: null,
  };
}

/** (Re)files an event under its streams: one `event_streams` row per stream id. */
function fileUnderStreams(db: Db, userId: number | SQL<number>, event: ApiEvent, refiled: boolean): Statement[] {
  const insert = db
    .insert(eventStreams)
    .select(sql`SELECT ${userId}, value, ${event.time}, ${event.id} FROM json_each(${JSON.stringify(event.streamIds)})`);
  if (!refiled) return [insert];
  return [db.delete(eventStreams).where(and(eq(eventStreams.userId, userId), eq(eventStreams.eventId, event.id))), insert];
}

/** An event to insert, prepared once: the JSON row its group's insert reads (see insertEventsStatements). */
export interface NewEvent {
  event: ApiEvent;
  serial: number;
  /** The row's values as a JSON array, in the order of `ROW_FIELDS`. */
  json: string;
  /** Whether SQLite reads every number of `json` back exactly (else the row is bound value by value). */
  exact: boolean;
  /** UTF-8 size of `json`: what the row weighs in a commit. */
  bytes: number;
}

type RowField = Exclude<keyof EventRow, "userId" | "json">;
/** Every `events` column but `user_id` (bound) and `json` (the triggers'), in the table's order: what an insert … select fills. */
const ROW_FIELDS = Object.keys(getTableColumns(events)).filter((k): k is RowField => k !== "userId" && k !== "json");
const field = (name: RowField) => `json_extract(e.value, '$[${ROW_FIELDS.indexOf(name)}]')`;
const ROW_SELECT = sql.raw(ROW_FIELDS.map(field).join(", "));

/** Column names of `table`'s fields. */
const columnName = (table: typeof events | typeof eventHistory | typeof eventStreams, fields: string[]) =>
  fields.map((f) => (getTableColumns(table) as Record<string, { name: string }>)[f]!.name);

// The hot writes' SQL, written once (see Statement in src/db/client.ts): an account's user id and JSON rows bound.
const INSERT_ROWS = `INSERT INTO events (user_id, ${columnName(events, ROW_FIELDS).join(", ")})
  SELECT ?1, ${ROW_FIELDS.map(field).join(", ")} FROM json_each(?2) e`;
const FILE_ROWS = `INSERT INTO event_streams (${columnName(eventStreams, ["userId", "streamId", "time", "eventId"]).join(", ")})
  SELECT e.user_id, s.value, e.time, e.id FROM events e, json_each(e.stream_ids) s
  WHERE e.user_id = ?1 AND e.id IN (SELECT value FROM json_each(?2))`;
const HISTORY_FIELDS = ["userId", "eventId", "serial", "modified", "data"];
const INSERT_HISTORY = `INSERT INTO event_history (${columnName(eventHistory, HISTORY_FIELDS).join(", ")}) VALUES (?, ?, ?, ?, ?)`;
type ColumnField = keyof ReturnType<typeof columns>;
const UPDATE_FIELDS = Object.keys(columns({ id: "", streamIds: [], type: "", time: 0, created: 0, createdBy: "", modified: 0, modifiedBy: "" }, 0)) as ColumnField[];
const UPDATE_ROW = `UPDATE events SET ${columnName(events, UPDATE_FIELDS).map((c) => `${c} = ?`).join(", ")} WHERE user_id = ? AND id = ?`;

/**
 * SQLite's JSON parser reads doubles exactly only within these magnitudes
 * (measured on workerd's D1: exact from 1e-83 to 1e117); -0 comes back as 0.
 */
const jsonExact = (n: number) => n === 0 ? !Object.is(n, -0) : Math.abs(n) >= 1e-80 && Math.abs(n) < 1e100;

const encoder = new TextEncoder();

export function newEvent(event: ApiEvent, serial: number): NewEvent {
  const row: Omit<EventRow, "userId" | "json"> = { id: event.id, ...columns(event, serial) };
  const values = ROW_FIELDS.map((name) => (typeof row[name] === "boolean" ? Number(row[name]) : row[name]));
  const json = JSON.stringify(values);
  const exact = values.every((v) => typeof v !== "number" || jsonExact(v));
  return { event, serial, json, exact, bytes: encoder.encode(json).byteLength };
}

/** JSON parameters stay well under D1's 2 MB per value. */
const CHUNK_BYTES = 1_000_000;

/**
 * Inserts new events and files them under their streams with a few
 * statements whatever their number: each statement reads the rows from one
 * JSON parameter (`json_each`), a chunk of at most about `CHUNK_BYTES`.
 * `userId` may be a sub-select (registration files events of a user inserted in the same batch).
 */
export function insertEventsStatements(db: Db, userId: number | SQL<number>, rows: readonly NewEvent[]): Statement[] {
  const statements: Statement[] = [];
  let chunk: string[] = [];
  let ids: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (!chunk.length) return;
    const rowsJson = `[${chunk.join(",")}]`;
    const idsJson = JSON.stringify(ids);
    // Filed from the rows just inserted: only their ids cross to D1 again.
    if (typeof userId === "number") statements.push(prepared(db, INSERT_ROWS, [userId, rowsJson]), prepared(db, FILE_ROWS, [userId, idsJson]));
    else {
      statements.push(
        // drizzle names every column, `json` last: NULL, for the trigger to fill.
        db.insert(events).select(sql`SELECT ${userId}, ${ROW_SELECT}, NULL FROM json_each(${rowsJson}) e`),
        db.insert(eventStreams).select(
          sql`SELECT e.user_id, s.value, e.time, e.id FROM ${events} e, json_each(e.stream_ids) s
            WHERE e.user_id = ${userId} AND e.id IN (SELECT value FROM json_each(${idsJson}))`,
        ),
      );
    }
    chunk = [];
    ids = [];
    bytes = 0;
  };
  for (const row of rows) {
    if (!row.exact) {
      statements.push(db.insert(events).values({ userId, id: row.event.id, ...columns(row.event, row.serial) }), ...fileUnderStreams(db, userId, row.event, false));
      continue;
    }
    if (bytes + row.bytes > CHUNK_BYTES) flush();
    chunk.push(row.json);
    ids.push(row.event.id);
    bytes += row.bytes + 1;
  }
  flush();
  const longest = Math.max(0, ...rows.map((r) => r.event.duration ?? 0));
  if (longest > 0) statements.push(raiseMaxEventDuration(db, userId, longest));
  return statements;
}

export function insertEventStatements(db: Db, userId: number | SQL<number>, event: ApiEvent, serial: number): Statement[] {
  return insertEventsStatements(db, userId, [newEvent(event, serial)]);
}

/**
 * The account's longest event duration (time-range queries look that far
 * back) only grows, whatever a caller's cached account says. A row left as
 * it is stays untouched: the account's revision (migration 0015) moves only
 * when the value does.
 */
export function raiseMaxEventDuration(db: Db, userId: number | SQL<number>, duration: number): Statement {
  return db
    .update(users)
    .set({ maxEventDuration: duration })
    .where(and(eq(users.id, userId), lt(users.maxEventDuration, duration)));
}

/** Replaces an event by its new version, keeping the previous one in the history. */
export function updateEventStatements(db: Db, userId: number, before: ApiEvent, after: ApiEvent, serial: number): Statement[] {
  const row = columns(after, serial);
  const values = UPDATE_FIELDS.map((f) => (typeof row[f] === "boolean" ? Number(row[f]) : row[f]));
  const statements: Statement[] = [
    prepared(db, INSERT_HISTORY, [userId, before.id, serial, before.modified, JSON.stringify(before)]),
    prepared(db, UPDATE_ROW, [...values, userId, after.id]),
  ];
  const moved = before.time !== after.time || JSON.stringify(before.streamIds) !== JSON.stringify(after.streamIds);
  return moved ? [...statements, ...fileUnderStreams(db, userId, after, true)] : statements;
}

/**
 * Turns an event into its deletion record `{id, deleted, integrity}`; its
 * history goes with it. The record keeps `streamIds` (where the event was,
 * never sent): who may learn of the deletion is who could read the event.
 */
export function deleteEventStatements(
  db: Db,
  userId: number,
  deletion: EventDeletion,
  streamIds: readonly string[],
  serial: number,
): Statement[] {
  return [
    db
      .update(events)
      .set({
        streamIds: JSON.stringify(streamIds),
        type: "",
        time: 0,
        duration: 0,
        endTime: null,
        content: null,
        description: null,
        clientData: null,
        attachments: null,
        trashed: false,
        integrity: deletion.integrity ?? null,
        modified: deletion.deleted,
        serial,
        deleted: deletion.deleted,
      })
      .where(and(eq(events.userId, userId), eq(events.id, deletion.id))),
    db.delete(eventStreams).where(and(eq(eventStreams.userId, userId), eq(eventStreams.eventId, deletion.id))),
    db.delete(eventHistory).where(and(eq(eventHistory.userId, userId), eq(eventHistory.eventId, deletion.id))),
  ];
}

/** Records that an event left or entered the scope of each of `streamIds` at `time`. */
export function scopeChangeStatements(
  db: Db,
  userId: number,
  eventId: string,
  streamIds: Iterable<string>,
  time: number,
): Statement[] {
  const ids = [...streamIds];
  if (!ids.length) return [];
  return [
    db
      .insert(eventScopeChanges)
      // `WHERE true`: SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT (parsing ambiguity).
      .select(sql`SELECT ${userId}, value, ${time}, ${eventId} FROM json_each(${JSON.stringify(ids)}) WHERE true`)
      .onConflictDoNothing(),
  ];
}

export async function eventHistoryOf(db: Db, userId: number, eventId: string): Promise<ApiEvent[]> {
  const rows = await db
    .select({ data: eventHistory.data })
    .from(eventHistory)
    .where(and(eq(eventHistory.userId, userId), eq(eventHistory.eventId, eventId)))
    .orderBy(asc(eventHistory.serial))
    .all();
  return rows.map((r) => JSON.parse(r.data) as ApiEvent);
}

/** Live events filed (directly) under any of `streamIds`. */
export async function eventsFiledUnder(db: Db, userId: number, streamIds: string[]): Promise<ApiEvent[]> {
  const rows = await db
    .select()
    .from(events)
    .where(
      sql`${events.userId} = ${userId} AND ${events.deleted} IS NULL AND ${events.id} IN (
        SELECT event_id FROM event_streams WHERE user_id = ${userId}
          AND stream_id IN (SELECT value FROM json_each(${JSON.stringify(streamIds)})))`,
    )
    .all();
  return rows.map(toApiEvent);
}

