/**
 * A D1 binding whose first round trip carries a check: the check's statement
 * runs first in the same batch (one transaction, one round trip) as the
 * caller's first statement or batch, and `StaleState` is thrown instead of
 * that statement's result when the check fails. After a check passed, calls go
 * straight through. Used to run a read on caller state kept between requests
 * (src/accesses/caller-states.ts) at the price of no extra round trip.
 */

/** The state a call assumed no longer holds: run it again from fresh state. */
export class StaleState extends Error {
  constructor() {
    super("stale caller state");
  }
}

/** Whether `err` is, or wraps (drizzle wraps driver errors in its own), a StaleState. */
export function isStale(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof StaleState) return true;
  return false;
}

export interface StateCheck {
  sql: string;
  params: unknown[];
  /** Whether the check statement's first row (undefined: none) says the state still holds. */
  holds(row: Record<string, unknown> | undefined): boolean;
}

export interface ValidatedD1 {
  db: D1Database;
  /** True once a check passed (then nothing more is checked). */
  settled(): boolean;
  /** Runs the check alone (a call that answered without any query). */
  checkNow(): Promise<void>;
}

type Row = Record<string, unknown>;

export function validatedD1(d1: D1Database, check: StateCheck): ValidatedD1 {
  let passed = false;
  const real = new WeakMap<object, D1PreparedStatement>();
  const checkStatement = () => d1.prepare(check.sql).bind(...check.params);

  /** Runs `statements` after the check in one batch; their results, or StaleState. */
  async function withCheck(statements: D1PreparedStatement[]): Promise<D1Result[]> {
    const [first, ...rest] = await d1.batch([checkStatement(), ...statements]);
    if (!check.holds((first?.results as Row[] | undefined)?.[0])) throw new StaleState();
    passed = true;
    return rest;
  }

  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if (!passed) {
          if (prop === "all" || prop === "run") return async () => (await withCheck([target]))[0];
          if (prop === "first") {
            return async (column?: string) => {
              const row = ((await withCheck([target]))[0]!.results as Row[])[0];
              if (row === undefined) return null;
              return column === undefined ? row : (row[column] ?? null);
            };
          }
          if (prop === "raw") {
            // Batch results come as objects: back to arrays, in column order (as drizzle does for its batches).
            return async (options?: { columnNames?: boolean }) => {
              const rows = (await withCheck([target]))[0]!.results as Row[];
              const values = rows.map((row) => Object.values(row));
              return options?.columnNames ? [Object.keys(rows[0] ?? {}), ...values] : values;
            };
          }
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };

  const db = new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrap(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          const plain = statements.map((s) => real.get(s) ?? s);
          return passed ? target.batch(plain) : withCheck(plain);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

  return {
    db,
    settled: () => passed,
    async checkNow() {
      if (passed) return;
      const row = await checkStatement().first<Row>();
      if (!check.holds(row ?? undefined)) throw new StaleState();
      passed = true;
    },
  };
}
