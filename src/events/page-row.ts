/**
 * A page of events.get as SQLite gives it: one row, the page's events as JSON
 * text joined. Each row and column of an answer costs it in D1 and in the
 * binding (which parses D1's answer and turns every row into an object), and
 * parsing an event only to serialise it again costs more: with a row of 15
 * columns per event, then parsing, those were about two fifths of a
 * time-range read's CPU in the bench's profile (issue 13); making the text in
 * the query was still about two fifths of what the bench's time range cost
 * beyond one bare D1 round trip (51–53 % of its requests/s, 61–68 % with
 * stored texts). So
 * each event's text is made when it is written (the
 * `json` column, kept by the triggers of migrations/0017_event_json.sql) and
 * a page joins them. Events too long for it (3000 bytes and more: rare) are
 * read as rows and written here by toApiEvent, the same text as JSON. The
 * separator, ASCII's record separator, and the mark of an event with
 * attachments, its group separator, never occur in JSON text (control
 * characters are always escaped in it).
 */
import { sql, type SQL } from "drizzle-orm";
import { PreRendered } from "../methods/streamed";
import type { ApiEvent } from "./events.schema";
import { toApiEvent, type ApiEventRow } from "./events.store";

const SEPARATOR = "\x1e";
const ATTACHED_MARK = "\x1d";
const TIME_KEY = `,"time":`;

/** The select list over `events e` of a page's own query (`pageOf` wraps it). */
export const PAGE_COLUMNS = sql.raw(`e.id AS id, e.time AS time, e.json AS json, e.attachments IS NOT NULL AS attached`);

/**
 * The select list over `events e` of a page holding an event without its text (`pageRowsOf` wraps it):
 * the text when there is one, else the fields toApiEvent needs; `bytes`, what the row weighs.
 */
export const PAGE_ROW_COLUMNS = sql.raw(
  [
    "e.id AS id, e.time AS time, e.json AS json, e.attachments IS NOT NULL AS attached",
    ...[
      ["stream_ids", "streamIds"], ["type", "type"], ["duration", "duration"], ["content", "content"], ["description", "description"],
      ["client_data", "clientData"], ["attachments", "attachments"], ["trashed", "trashed"], ["integrity", "integrity"],
      ["created", "created"], ["created_by", "createdBy"], ["modified", "modified"], ["modified_by", "modifiedBy"],
    ].map(([column, key]) => `iif(e.json IS NULL, e.${column}, NULL) AS ${key}`),
    `iif(e.json IS NULL, ${["content", "description", "client_data", "attachments", "stream_ids"].map((c) => `coalesce(octet_length(e.${c}), 0)`).join(" + ")}, octet_length(e.json)) AS bytes`,
  ].join(", "),
);

/** The most rows a page's query asks for: so many stored texts (each under 3000 bytes, migration 0017) stay under what D1 lets one value hold (2 MB). */
export const PAGE_ROWS = 500;

/** Bytes of rows read at most, before the last one, for a page holding an event without its text. */
const ROWS_BYTES = 512 * 1024;

const orderOf = (ascending: boolean) => sql.raw(ascending ? "time ASC, id ASC" : "time DESC, id DESC");

/**
 * `rows` (a query selecting PAGE_COLUMNS, at most PAGE_ROWS) as one row: how many there are, and their
 * texts joined in order; `joined` < `n` tells the page holds an event without one.
 */
export function pageOf(rows: SQL, ascending: boolean): SQL {
  return sql`SELECT count(*) AS n, count(json) AS joined, group_concat(iif(attached, char(29) || json, json), char(30) ORDER BY ${orderOf(ascending)}) AS events
    FROM (${rows})`;
}

export interface PageRow {
  /** Rows the page's query found. */
  n: number;
  /** Events in `events`. */
  joined: number;
  events: string | null;
}

/**
 * `rows` (a query selecting PAGE_ROW_COLUMNS) as rows, in order, while the bytes before each are under
 * ROWS_BYTES; each with `n`, how many `rows` found.
 */
export function pageRowsOf(rows: SQL, ascending: boolean): SQL {
  const order = orderOf(ascending);
  return sql`SELECT * FROM (SELECT r.*, count(*) OVER () AS n,
      coalesce(sum(bytes) OVER (ORDER BY ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before FROM (${rows}) r)
    WHERE before < ${ROWS_BYTES} ORDER BY ${order}`;
}

export type PageEventRow = Omit<ApiEventRow, "id" | "time"> & { id: string; time: number; json: string | null; attached: number; n: number };

/** An event's text as the trigger writes it: id and time first (PageEvent reads them there). */
function eventText(row: PageEventRow): string {
  const { id, time, ...rest } = toApiEvent(row);
  return JSON.stringify({ id, time, ...rest });
}

/** The rows of pageRowsOf as a page row. */
export function joinedRows(rows: PageEventRow[]): PageRow {
  const texts = rows.map((r) => (r.attached ? ATTACHED_MARK : "") + (r.json ?? eventText(r)));
  return { n: rows[0]?.n ?? 0, joined: rows.length, events: texts.length ? texts.join(SEPARATOR) : null };
}

/**
 * The events of a page row, as one text sent whole: most pages hold no event with attachments, and
 * they go to the client without a step per event. `null` for a row without events.
 */
export function pageOfRow(row: PageRow): Page | null {
  return row.events ? new Page(row.events) : null;
}

/** A page's events, in order: their JSON texts joined, as pageOf gives them. */
export class Page extends PreRendered {
  /** Whether an event of it has attachments (see PageEvent.attached). */
  readonly attached: boolean;
  readonly #text: string;

  constructor(text: string) {
    super();
    this.#text = text;
    this.attached = text.includes(ATTACHED_MARK);
  }

  get json(): string {
    const joined = this.#text.replaceAll(SEPARATOR, ",");
    return this.attached ? joined.replaceAll(ATTACHED_MARK, "") : joined;
  }

  events(): PageEvent[] {
    return this.#text.split(SEPARATOR).map((text) => new PageEvent(text));
  }

  /** The page's last event (where the next page starts). */
  last(): PageEvent {
    return new PageEvent(this.#text.slice(this.#text.lastIndexOf(SEPARATOR) + 1));
  }

  values(): ApiEvent[] {
    return this.events().map((e) => e.value());
  }
}

/** An event of a page, as JSON text (sent as it is), with what ordering and read tokens need. */
export class PageEvent extends PreRendered {
  readonly json: string;
  /** Whether it has attachments, whose read tokens are the caller's own, added to the event (`value`). */
  readonly attached: boolean;
  #id: string | undefined;
  #time: number | undefined;

  /** `text`: the event's JSON as EVENT_JSON makes it. */
  constructor(text: string) {
    super();
    this.attached = text.startsWith(ATTACHED_MARK);
    this.json = this.attached ? text.slice(1) : text;
  }

  // Id and time are read from the text only when asked (a page's last event, or merging two sources):
  // `{"id":"…","time":n,` — a quote inside the id is escaped, so the first `,"time":` is the key.
  get id(): string {
    return (this.#id ??= JSON.parse(this.json.slice(6, this.json.indexOf(TIME_KEY))) as string);
  }

  get time(): number {
    if (this.#time === undefined) {
      const at = this.json.indexOf(TIME_KEY) + TIME_KEY.length;
      this.#time = Number(this.json.slice(at, this.json.indexOf(",", at)));
    }
    return this.#time;
  }

  value(): ApiEvent {
    return JSON.parse(this.json) as ApiEvent;
  }

  values(): ApiEvent[] {
    return [this.value()];
  }
}
