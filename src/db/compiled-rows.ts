/**
 * Whole-row selects of one table rendered by drizzle once per isolate (values
 * as `sql.placeholder`s, filled per call) and run as plain D1 statements.
 * Drizzle renders a query again on every call — its SQL chunks, the order and
 * decoders of the selected fields — which the bench's heap profile put at a
 * third of what an accesses.get allocates (issue 13). Its own `prepare()`
 * caches the same, but belongs to one drizzle session, i.e. one binding object
 * (a request's, here); the rows are decoded as drizzle's `mapResultRow` does.
 */
import { fillPlaceholders, getTableColumns, type Table } from "drizzle-orm";
import { prepared, type Db } from "./client";

interface Compiled {
  sql: string;
  params: unknown[];
}

/** A function running `build`'s query (a `db.select().from(table)…`) with placeholder `values`, giving decoded rows. */
export function compiledRows<T extends Table>(table: T, build: (db: Db) => { toSQL(): Compiled }) {
  // `select()` with no fields selects the table's columns in this order.
  const columns = Object.entries(getTableColumns(table));
  let query: Compiled | undefined;
  return async (db: Db, values: Record<string, unknown>): Promise<T["$inferSelect"][]> => {
    query ??= build(db).toSQL();
    const rows = await prepared(db, query.sql, fillPlaceholders(query.params, values)).raw<unknown[]>();
    return rows.map((row) => {
      const record: Record<string, unknown> = {};
      columns.forEach(([key, column], i) => {
        const value = row[i];
        record[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      });
      return record as T["$inferSelect"];
    });
  };
}
