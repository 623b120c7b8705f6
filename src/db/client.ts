import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/** One statement of a D1 batch (a batch is one transaction). */
export type Statement = BatchItem<"sqlite">;

export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** Runs `statements` as one transaction (all or nothing). */
export async function runBatch(db: Db, statements: readonly Statement[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
