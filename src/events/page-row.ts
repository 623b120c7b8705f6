/**
 * The row a page of events.get reads: the numbers as their own columns, every
 * other field of the API event packed by SQLite into one JSON array. Each
 * column of a row costs that row in D1 and in the binding, which turns every
 * row of an answer into an object: 15 columns a row were about a quarter of a
 * time-range read's CPU in the bench's profile (issue 13); five take a tenth
 * off its latency. The numbers stay out of the array because SQLite's JSON
 * prints a REAL with 15 significant digits, not always enough to give back the
 * same number. The JSON-valued fields (stream ids, content, clientData,
 * attachments) are embedded as JSON, not as text to parse again: SQLite keeps
 * the text of the numbers in them as written, and its depth limit (1000) is
 * far past the API's (100, src/http/json-depth.ts).
 */
import { sql } from "drizzle-orm";
import { apiEvent } from "./events.store";
import type { ApiEvent, Attachment } from "./events.schema";

/** The select list over `events e`, in the order `fromPageRow` reads it. */
export const PAGE_COLUMNS = sql.raw(
  "e.time AS time, e.duration AS duration, e.created AS created, e.modified AS modified, " +
    "json_array(e.id, json(e.stream_ids), e.type, json(e.content), e.description, json(e.client_data), json(e.attachments), " +
    "e.trashed, e.integrity, e.created_by, e.modified_by) AS packed",
);

export interface PageRow {
  time: number;
  duration: number | null;
  created: number;
  modified: number;
  packed: string;
}

type Packed = [
  id: string,
  streamIds: string[],
  type: string,
  content: unknown,
  description: string | null,
  clientData: Record<string, unknown> | null,
  attachments: Attachment[] | null,
  trashed: 0 | 1,
  integrity: string | null,
  createdBy: string,
  modifiedBy: string,
];

export function fromPageRow(row: PageRow): ApiEvent {
  const [id, streamIds, type, content, description, clientData, attachments, trashed, integrity, createdBy, modifiedBy] = JSON.parse(row.packed) as Packed;
  const { time, duration, created, modified } = row;
  return apiEvent({ id, streamIds, type, time, duration, content, description, clientData, attachments, trashed: trashed === 1, integrity, created, createdBy, modified, modifiedBy });
}
