/**
 * Bench instrumentation (local mode with BENCH_ROUTES=true only): per request,
 * D1 round trips and where time went, answered as a `Server-Timing` header.
 * The current request's trace rides in an AsyncLocalStorage, so the code it
 * measures takes no extra parameter; a Durable Object call returns its own
 * trace with its outcome and the Worker adds it (`addTrace`).
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface Trace {
  /** D1 round trips (a statement or a batch each). */
  d1Trips: number;
  /** Milliseconds per phase (`d1` is the time spent waiting on D1). */
  phases: Record<string, number>;
  /** Set for a streamed answer (`streamTrace`): answered as `Bench-Trace`, the key of its whole-answer trace. */
  id?: number;
}

const current = new AsyncLocalStorage<Trace>();

/** Bench mode: instrumentation on (local mode only, whatever BENCH_ROUTES says elsewhere). */
export function traceEnabled(env: { ENVIRONMENT?: string; BENCH_ROUTES?: string }): boolean {
  return env.ENVIRONMENT === "local" && env.BENCH_ROUTES === "true";
}

export function newTrace(): Trace {
  return { d1Trips: 0, phases: {} };
}

/** Runs `fn` with `trace` as the current one. */
export function withTrace<T>(trace: Trace, fn: () => T): T {
  return current.run(trace, fn);
}

export function currentTrace(): Trace | undefined {
  return current.getStore();
}

function add(trace: Trace, name: string, ms: number): void {
  trace.phases[name] = (trace.phases[name] ?? 0) + ms;
}

/** Times `fn` as phase `name` of the current trace (no cost without one). */
export async function phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const trace = current.getStore();
  if (!trace) return fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    add(trace, name, performance.now() - started);
  }
}

/** `phase` for synchronous work (serialisation): local workerd's clock advances during CPU work, in 1 ms steps. */
export function phaseSync<T>(name: string, fn: () => T): T {
  const trace = current.getStore();
  if (!trace) return fn();
  const started = performance.now();
  try {
    return fn();
  } finally {
    add(trace, name, performance.now() - started);
  }
}

/** Adds a trace measured elsewhere (the account's Durable Object) to the current one. */
export function addTrace(remote: Trace | undefined): void {
  const trace = current.getStore();
  if (!trace || !remote) return;
  trace.d1Trips += remote.d1Trips;
  for (const [name, ms] of Object.entries(remote.phases)) add(trace, name, ms);
}

/** `Server-Timing` value: one metric per phase, and `d1-trips` with the count in `desc`. */
export function serverTiming(trace: Trace): string {
  const metrics = Object.entries(trace.phases).map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`);
  return [...metrics, `d1-trips;desc="${trace.d1Trips}"`].join(", ");
}

let lastId = 0;
/** Whole-answer traces of streamed answers, until the bench reads them (`takeFinishedTrace`); the oldest go first. */
const finished = new Map<number, Trace>();
// The bench reads back the last 50 answers of a scenario (bench/server-timing.mjs). Keeping 10 000 held each
// trace some 20 s under load: old enough to be promoted, then old-generation garbage for the bench to pay
// (the Worker's collector: 13.7 % of its time under the 20-event read, 12.4 % with 200; one profile each).
const FINISHED_AT_MOST = 200;

/** What a streamed answer does with the current trace (`streamTrace`). */
export interface StreamTrace {
  /** Runs one pull of the body as part of the request's trace: pages read after the headers count too. */
  around<T>(pull: () => Promise<T>): Promise<T>;
  /** The body is complete: its trace now covers the whole answer. */
  done(): void;
}

/**
 * Bench mode, a streamed answer: its later pages are read after the headers
 * (and their `Server-Timing`) left, so the request's trace is kept going for
 * the whole body and then kept under the id answered as `Bench-Trace`. Null
 * without a current trace.
 */
export function streamTrace(): StreamTrace | null {
  const trace = current.getStore();
  if (!trace) return null;
  const id = (trace.id ??= ++lastId);
  return {
    around: (pull) => current.run(trace, pull),
    done: () => {
      if (finished.size >= FINISHED_AT_MOST) finished.delete(finished.keys().next().value!);
      finished.set(id, trace);
    },
  };
}

/** The whole-answer trace of streamed answer `id`, once (null if unknown, or not complete yet). */
export function takeFinishedTrace(id: number): Trace | null {
  const trace = finished.get(id) ?? null;
  finished.delete(id);
  return trace;
}

/** D1 binding counting each round trip (statement run, or batch) and its wait into the current trace. */
export function countingD1(d1: D1Database): D1Database {
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const trace = current.getStore();
    if (!trace) return run();
    trace.d1Trips++;
    const started = performance.now();
    try {
      return await run();
    } finally {
      add(trace, "d1", performance.now() - started);
    }
  };
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrapStatement(target.bind(...values));
        if (prop === "all" || prop === "first" || prop === "run" || prop === "raw") {
          return (...args: unknown[]) => timed(() => (target[prop] as (...a: unknown[]) => Promise<unknown>)(...args));
        }
        if (prop === UNWRAP) return target;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(d1, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrapStatement(target.prepare(query));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) =>
          timed(() => target.batch(statements.map((s) => (s as unknown as Record<symbol, D1PreparedStatement>)[UNWRAP] ?? s)));
      }
      if (prop === "exec") return (query: string) => timed(() => target.exec(query));
      // A read-replica session (src/db/replicas.ts) counts as the binding does.
      if (prop === "withSession") return (constraint?: string) => countingD1(target.withSession(constraint) as unknown as D1Database);
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const UNWRAP = Symbol("unwrapped statement");
