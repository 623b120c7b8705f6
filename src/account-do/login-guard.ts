/**
 * Slows down password guessing, per account (this Durable Object) and per client.
 *
 * Choices (hardening issue, item 8):
 * - The account is never locked as a whole: that let anyone lock its owner out
 *   with five wrong passwords. A client is a network address for logins
 *   (`CF-Connecting-IP`, which Cloudflare sets; IPv6 by /64, what one
 *   subscriber usually gets), and the session itself for
 *   `account.changePassword`: a valid session is only ever slowed down by its
 *   own wrong old passwords, never by anyone else's — not even by a client
 *   sharing its address (a NAT, a carrier-grade NAT).
 * - Slow down rather than lock: a client may fail LOGIN_MAX_FAILURES times;
 *   the failure that spends this allowance makes it wait LOGIN_LOCK_SECONDS
 *   before its next try, and each failure after that doubles the wait (up to
 *   an hour, or LOGIN_LOCK_SECONDS if longer). No client gets more than
 *   LOGIN_MAX_FAILURES tries per LOGIN_LOCK_SECONDS, as before, and a
 *   persistent one gets ever fewer. Every call counts (batches included: the
 *   guard is asked by each login/changePassword call).
 * - While it waits, a client is refused even with the right password (else
 *   waiting would not slow guessing down), with 429 and Retry-After.
 * - A client is forgotten LOGIN_LOCK_SECONDS after its last failure (or after
 *   its wait, when longer) — or at once when it gives the right password.
 * - Bounded state: at most MAX_CLIENTS entries per account, expired ones
 *   pruned first; past that, new clients share one overflow entry. An attack
 *   from more addresses than that is then limited to one allowance for all of
 *   them together; evicting entries instead would hand throttled clients a
 *   fresh allowance.
 */
import { errors } from "../errors";
import type { LoginGuard } from "./account-writer";

interface ClientState {
  /** Failures not forgotten yet. */
  failures: number;
  /** Time (ms) of the last failure. */
  last: number;
  /** No attempt before this time (ms); 0 while within the allowance. */
  waitUntil: number;
}

export interface LoginGuardSettings {
  maxFailures: number;
  lockSeconds: number;
  /** Entries kept per account (tests lower it). */
  maxClients?: number;
  /** Clock in ms (tests move it). */
  now?: () => number;
}

/** Storage keys: `login-guard:{client}`. (The key `login-guard` alone held the former account-wide lock.) */
const PREFIX = "login-guard:";
const LEGACY_KEY = "login-guard";
const OVERFLOW_KEY = `${PREFIX}overflow`;
const MAX_CLIENTS = 1000;
const MAX_WAIT_MS = 3600 * 1000;

export function createLoginGuard(storage: SyncKvStorage, settings: LoginGuardSettings): LoginGuard {
  const windowMs = settings.lockSeconds * 1000;
  const maxWaitMs = Math.max(windowMs, MAX_WAIT_MS);
  const maxClients = settings.maxClients ?? MAX_CLIENTS;
  const now = settings.now ?? Date.now;

  const expired = (state: ClientState, at: number) => at >= Math.max(state.last, state.waitUntil) + windowMs;
  const live = (key: string, at: number): ClientState | null => {
    const state = storage.get<ClientState>(key);
    return state && !expired(state, at) ? state : null;
  };
  const clientKeys = () => [...storage.list<ClientState>({ prefix: PREFIX })].filter(([key]) => key !== OVERFLOW_KEY);
  const pruned = (at: number) => {
    const entries = clientKeys();
    if (entries.length < maxClients) return entries.length;
    for (const [key, state] of entries) if (expired(state, at)) storage.delete(key);
    return clientKeys().length;
  };

  /** Where `client`'s failures count: its own entry, or the overflow one while the table is full. */
  const keyOf = (client: string, at: number, adding: boolean): string => {
    const own = PREFIX + client;
    if (live(own, at)) return own;
    if (adding) return pruned(at) < maxClients ? own : OVERFLOW_KEY;
    return live(OVERFLOW_KEY, at) && clientKeys().length >= maxClients ? OVERFLOW_KEY : own;
  };

  return {
    assertAllowed(client) {
      const at = now();
      const state = live(keyOf(client, at, false), at);
      if (state && state.waitUntil > at) {
        const retryAfter = Math.ceil((state.waitUntil - at) / 1000);
        throw errors.tooManyRequests(
          retryAfter,
          `Too many failed attempts from this client; try again in ${retryAfter} seconds.`,
        );
      }
    },
    recordFailure(client) {
      const at = now();
      const key = keyOf(client, at, true);
      const failures = (live(key, at)?.failures ?? 0) + 1;
      const beyond = failures - settings.maxFailures;
      const waitUntil = beyond >= 0 ? at + Math.min(windowMs * 2 ** beyond, maxWaitMs) : 0;
      storage.put<ClientState>(key, { failures, last: at, waitUntil });
    },
    forgive(client) {
      // The overflow entry is shared with whoever else is guessing: one right password does not clear it.
      storage.delete(PREFIX + client);
    },
    reset() {
      for (const [key] of storage.list({ prefix: PREFIX })) storage.delete(key);
      storage.delete(LEGACY_KEY);
    },
  };
}
