/**
 * The rows a page of events.get reads, each event's JSON made in the query.
 * Every column of a row costs that row in D1 and in the binding (which turns
 * each row of an answer into an object), and parsing an event only to
 * serialise it again costs more: with 15 columns a row, then parsing, those
 * were about half of a time-range read's CPU in the bench's profile (issue 13).
 * So SQLite writes the event's text fields into JSON text — the JSON-valued
 * ones (stream ids, content, clientData, attachments) are stored as JSON text
 * already — and the numbers come as columns of their own: SQLite prints a
 * REAL in text with 15 significant digits, not always enough to give back the
 * same number. The omissions are those of toApiEvent (events.store.ts); the
 * test of page rows holds the two to the same events.
 */
import { sql } from "drizzle-orm";
import { PreRendered } from "../methods/streamed";
import type { ApiEvent } from "./events.schema";

/** The select list over `events e`; `fields`: every field but the id and the numbers, as members of a JSON object. */
export const PAGE_COLUMNS = sql.raw(
  [
    "e.id AS id, e.time AS time, e.duration AS duration, e.created AS created, e.modified AS modified",
    [
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
    ].join(" || ") + " AS fields",
  ].join(", "),
);

export interface PageRow {
  id: string;
  time: number;
  duration: number | null;
  created: number;
  modified: number;
  fields: string;
}

/** An event of a page, as JSON text (sent as it is), with what ordering and read tokens need. */
export class PageEvent extends PreRendered {
  readonly id: string;
  readonly time: number;
  /**
   * Whether it may have attachments, whose read tokens are the caller's own, added to the event (`value`).
   * Told by the text, not by one more column: content can hold the same text, which then only costs that
   * event the slower way (withReadTokens leaves an event without attachments as it is).
   */
  readonly attached: boolean;
  readonly json: string;

  constructor(row: PageRow) {
    super();
    this.id = row.id;
    this.time = row.time;
    this.attached = row.fields.includes(`,"attachments":`);
    // Numbers as JSON.stringify writes them (String(n) is the same text for finite numbers).
    const duration = row.duration === null ? `,"duration":null` : row.duration === 0 ? "" : `,"duration":${row.duration}`;
    this.json = `{"id":${JSON.stringify(row.id)},"time":${row.time}${duration},"created":${row.created},"modified":${row.modified},${row.fields}}`;
  }

  value(): ApiEvent {
    return JSON.parse(this.json) as ApiEvent;
  }
}
