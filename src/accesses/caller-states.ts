/**
 * Caller state kept by a Worker isolate between requests: per account and
 * token, the account row, the access and (once loaded) the stream tree. A read
 * runs on it without asking D1 again: the account's `revision` (bumped by
 * triggers on any change to the account, its accesses or its streams,
 * migration 0015) is checked in the same D1 batch as the read's first query
 * (src/db/validated-d1.ts), so a revoked token or a moved stream is never
 * served from here — the read runs again from fresh state. Writes are
 * authenticated by the account's Durable Object, which holds its own exact
 * cache; here they only learn that the account exists.
 */
import type { UserRecord } from "../account/account.store";
import type { StateCheck } from "../db/validated-d1";
import type { StreamTree } from "../streams/stream-tree";
import type { StreamRow } from "../streams/streams.store";
import type { AccessRecord } from "./accesses.store";

export interface CallerState {
  user: UserRecord;
  access: AccessRecord;
  /** Loaded on first need, at the state's revision or later (a later one only makes the next check fail). */
  tree?: Promise<StreamTree<StreamRow>>;
}

/** Bounds what a token nobody uses any more keeps in memory. */
const LIFETIME_MS = 5 * 60_000;
const MAX_ENTRIES = 500;

const states = new Map<string, { state: CallerState; at: number }>();
const keyOf = (username: string, token: string) => `${username}\n${token}`;

export function knownCaller(username: string | null, token: string | null): CallerState | null {
  if (!username || !token) return null;
  const key = keyOf(username, token);
  const entry = states.get(key);
  if (!entry) return null;
  if (Date.now() - entry.at > LIFETIME_MS) {
    states.delete(key);
    return null;
  }
  return entry.state;
}

export function keepCaller(username: string, token: string, state: CallerState): void {
  const key = keyOf(username, token);
  states.delete(key); // re-inserted last: the oldest entry is the first to go
  if (states.size >= MAX_ENTRIES) states.delete(states.keys().next().value!);
  states.set(key, { state, at: Date.now() });
}

export function forgetCaller(username: string | null, token: string | null): void {
  if (username && token) states.delete(keyOf(username, token));
}

/** The check riding along a read on `state`: the account still has the revision the state was read at. */
export function revisionCheck(state: CallerState): StateCheck {
  return {
    sql: "SELECT revision FROM users WHERE id = ?",
    params: [state.user.id],
    holds: (row) => row !== undefined && row.revision === state.user.revision,
  };
}
