import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";

export type Db = ReturnType<typeof drizzle>;

/**
 * One statement of a D1 batch (a batch is one transaction): a drizzle query,
 * or a statement prepared on the binding (`prepared`), for the few hot writes
 * whose SQL never changes — building those with drizzle was about a sixth of
 * an events.update's CPU in the bench's profile (issue 13).
 */
export type Statement = BatchItem<"sqlite"> | D1PreparedStatement;

const isDrizzle = (s: Statement): s is BatchItem<"sqlite"> => "toSQL" in s;
/** Every drizzle query builder has it (BatchItem's type leaves it out). */
const toSQL = (s: BatchItem<"sqlite">) => (s as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();

/** `text` prepared on the binding under `db` (the bench's counting wrapper included), bound to `values`. */
export function prepared(db: Db, text: string, values: unknown[]): D1PreparedStatement {
  return db.$client.prepare(text).bind(...values);
}

const instances = new WeakMap<D1Database, Db>();

/**
 * The drizzle database over `d1`, one per binding object. No relational schema is
 * given: no code uses `db.query`, and building its config costs measurable CPU per
 * call (the bench's profile, issue 13).
 */
export function createDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1);
    instances.set(d1, db);
  }
  return db;
}

/** Runs `statements` as one transaction (all or nothing). */
export async function runBatch(db: Db, statements: readonly Statement[]): Promise<void> {
  if (!statements.length) return;
  if (statements.every(isDrizzle)) {
    const [first, ...rest] = statements;
    await db.batch([first!, ...rest]);
    return;
  }
  await db.$client.batch(
    statements.map((s) => {
      if (!isDrizzle(s)) return s;
      const query = toSQL(s);
      return prepared(db, query.sql, query.params);
    }),
  );
}
