/**
 * A page of events.get as SQLite gives it: one row, the page's events as JSON
 * text made in the query. Each row and column of an answer costs it in D1 and
 * in the binding (which parses D1's answer and turns every row into an
 * object), and parsing an event only to serialise it again costs more: with
 * a row of 15 columns per event, then parsing, those were about two fifths of a
 * time-range read's CPU in the bench's profile (issue 13). So SQLite writes
 * each event's text fields into JSON text — the JSON-valued ones (stream ids,
 * content, clientData, attachments) are stored as JSON text already — and
 * joins the page's events into one text (up to JOINED_BYTES). The numbers come as SQLite's
 * `quote()` writes them, which gives back the same number (15 significant
 * digits when they suffice, else 21), and are written again here as
 * JSON.stringify does. The separators, ASCII's record and unit separators,
 * never occur in JSON text (control characters are always escaped in it).
 * The omissions are those of toApiEvent (events.store.ts); the test of page
 * rows holds the two to the same events.
 */
import { sql, type SQL } from "drizzle-orm";
import { PreRendered } from "../methods/streamed";
import type { ApiEvent } from "./events.schema";

const FIELDS = [
  `'"streamIds":' || e.stream_ids`,
  `',"type":' || json_quote(e.type)`,
  `',"createdBy":' || json_quote(e.created_by)`,
  `',"modifiedBy":' || json_quote(e.modified_by)`,
  `CASE WHEN e.content IS NULL THEN '' ELSE ',"content":' || e.content END`,
  `CASE WHEN e.description IS NULL THEN '' ELSE ',"description":' || json_quote(e.description) END`,
  `CASE WHEN e.client_data IS NULL THEN '' ELSE ',"clientData":' || e.client_data END`,
  `CASE WHEN e.attachments IS NULL THEN '' ELSE ',"attachments":' || e.attachments END`,
  `CASE WHEN e.trashed THEN ',"trashed":true' ELSE '' END`,
  `CASE WHEN e.integrity IS NULL THEN '' ELSE ',"integrity":' || json_quote(e.integrity) END`,
].join(" || ");

/** The select list over `events e` of the page's own query (`pageOf` wraps it). */
export const PAGE_COLUMNS = sql.raw(
  `e.id AS id, e.time AS time, e.id || char(31) || quote(e.time) || ' ' || quote(e.duration) || ' ' || ` +
    `quote(e.created) || ' ' || quote(e.modified) || char(31) || ${FIELDS} AS event`,
);

/**
 * Bytes of event text joined in one row, at most, before the next event. D1 refuses a value over
 * 2 000 000 bytes, and an event's text may reach about 1.1 MB (MAX_EVENT_DATA_BYTES and the rest):
 * a row stays under 1.7 MB, and the page goes on with another query from the last event joined.
 */
const JOINED_BYTES = 512 * 1024;

/** `rows` (a query selecting PAGE_COLUMNS) as one row: how many there are, and their events joined in order while under JOINED_BYTES. */
export function pageOf(rows: SQL, ascending: boolean): SQL {
  const order = sql.raw(ascending ? "time ASC, id ASC" : "time DESC, id DESC");
  return sql`SELECT count(*) AS n, group_concat(event, char(30) ORDER BY ${order}) FILTER (WHERE before < ${JOINED_BYTES}) AS events
    FROM (SELECT event, time, id, coalesce(sum(octet_length(event)) OVER (ORDER BY ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
      FROM (${rows}))`;
}

export interface PageRow {
  /** Rows the page's query found (its events may be fewer: see JOINED_BYTES). */
  n: number;
  events: string | null;
}

/** The events of a page row, in order. */
export function pageEvents(row: PageRow | undefined): PageEvent[] {
  if (!row?.events) return [];
  return row.events.split("\x1e").map((text) => new PageEvent(text));
}

/** An event of a page, as JSON text (sent as it is), with what ordering and read tokens need. */
export class PageEvent extends PreRendered {
  readonly id: string;
  readonly time: number;
  /**
   * Whether it may have attachments, whose read tokens are the caller's own, added to the event (`value`).
   * Told by the text: content can hold the same text, which then only costs that event the slower way
   * (withReadTokens leaves an event without attachments as it is).
   */
  readonly attached: boolean;
  readonly json: string;

  /** `text`: id, numbers and fields, as PAGE_COLUMNS joins them. */
  constructor(text: string) {
    super();
    const [id, numbers, fields] = text.split("\x1f") as [string, string, string];
    const [time, duration, created, modified] = numbers.split(" ").map((n) => (n === "NULL" ? null : Number(n)));
    this.id = id;
    this.time = time!;
    this.attached = fields.includes(`,"attachments":`);
    // Numbers as JSON.stringify writes them (String(n) is the same text for finite numbers).
    const lasting = duration === null ? `,"duration":null` : duration === 0 ? "" : `,"duration":${duration}`;
    this.json = `{"id":${JSON.stringify(id)},"time":${time}${lasting},"created":${created},"modified":${modified},${fields}}`;
  }

  value(): ApiEvent {
    return JSON.parse(this.json) as ApiEvent;
  }
}
