import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";

export type Db = ReturnType<typeof drizzle>;

/** One statement of a D1 batch (a batch is one transaction). */
export type Statement = BatchItem<"sqlite">;

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
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
