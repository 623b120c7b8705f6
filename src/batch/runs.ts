/**
 * How a batch's calls reach the account: consecutive writes together, in one
 * trip to the account's Durable Object (one lock acquisition, grouped
 * commits: AccountDO.executeAll), every other call on its own. HTTP batches
 * and the sockets' `callBatch` split them the same way.
 */
import { findMethod } from "../methods/registry";

/** A write the account's object runs for a batch (HTTP-only methods are refused in batches). */
export function isAccountWrite(methodId: string): boolean {
  const method = findMethod(methodId);
  return method?.scope === "account" && method.writes && !method.httpOnly;
}

export interface Run<T> {
  writes: boolean;
  calls: T[];
}

/** `calls` in order, as runs: a run of consecutive account writes, or one other call. */
export function runsOf<T>(calls: readonly T[], methodOf: (call: T) => string): Run<T>[] {
  const runs: Run<T>[] = [];
  for (let i = 0; i < calls.length; ) {
    if (!isAccountWrite(methodOf(calls[i]!))) {
      runs.push({ writes: false, calls: [calls[i++]!] });
      continue;
    }
    const run: T[] = [];
    while (i < calls.length && isAccountWrite(methodOf(calls[i]!))) run.push(calls[i++]!);
    runs.push({ writes: true, calls: run });
  }
  return runs;
}
