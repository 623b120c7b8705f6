import { sql, type SQL } from "drizzle-orm";

/**
 * A list of values as one bound parameter (`(SELECT value FROM json_each(?))`):
 * D1 allows only 100 bound parameters per statement, whatever the list's length.
 */
export function jsonList(values: readonly (string | number)[]): SQL {
  return sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
