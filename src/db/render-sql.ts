/**
 * Raw `sql` templates rendered without drizzle's general renderer, for the
 * hot reads built from them (events.get's pages). That renderer asks of every
 * chunk which of a dozen entity kinds it is, each by a walk of its class chain:
 * about a tenth of an events.get's CPU in the bench's profile (issue 13). What
 * the templates here hold — text, nested templates, plain values — renders as
 * drizzle renders it; anything else (columns, tables, arrays, Param objects,
 * inlined params) is left to drizzle (`null`), so no output ever differs.
 */
import { SQL, StringChunk } from "drizzle-orm";
import { prepared, type Db } from "./client";

export interface Rendered {
  sql: string;
  params: unknown[];
}

/** `query` as SQLite text and parameters, or null when it holds anything but text, templates and plain values. */
export function renderSql(query: SQL): Rendered | null {
  const text: string[] = [];
  const params: unknown[] = [];
  return append(query, text, params) ? { sql: text.join(""), params } : null;
}

function append(query: SQL, text: string[], params: unknown[]): boolean {
  // Private in drizzle's types; set by `.inlineParams()`, which the templates here never call.
  if ((query as unknown as { shouldInlineParams: boolean }).shouldInlineParams) return false;
  for (const chunk of query.queryChunks) {
    if (chunk instanceof StringChunk) text.push(chunk.value.join(""));
    else if (chunk instanceof SQL) {
      if (!append(chunk, text, params)) return false;
    } else if (chunk === undefined) continue;
    else if (chunk === null || typeof chunk === "string" || typeof chunk === "number" || typeof chunk === "bigint" || typeof chunk === "boolean") {
      text.push("?");
      params.push(chunk);
    } else return false;
  }
  return true;
}

/** The rows of `query`, as `db.all` gives them. */
export async function allRows<T>(db: Db, query: SQL): Promise<T[]> {
  const rendered = renderSql(query);
  if (!rendered) return db.all<T>(query);
  return (await prepared(db, rendered.sql, rendered.params).all<T>()).results;
}
