/**
 * Pending MFA sessions, held in the account's Durable Object storage (read
 * after write, unlike KV): a login whose password was right and whose code is
 * awaited (`login`), or an activation whose first code is awaited (`activation`,
 * carrying the sealed new secret: MFA is on only once confirmed).
 * The client holds an mfaToken (newToken, ~165 bits); storage keys are its
 * SHA-256, so the object's storage never holds a usable token.
 * Bounded: expired sessions are pruned when one is opened; past
 * MAX_SESSIONS, the one expiring first is dropped.
 */
import { newToken } from "../shared/ids";
import { sha256Hex } from "../shared/crypto";

/** As the reference (`services.mfa.sessions.ttlSeconds` default). */
export const MFA_SESSION_TTL_MS = 30 * 60 * 1000;
/** Wrong codes a session takes before it is burnt. */
export const MAX_CODE_FAILURES = 5;
const MAX_SESSIONS = 100;
const PREFIX = "mfa-session:";

export type MfaSession =
  /** `passwordSet`: the password's time when it was given (a change since voids the login). */
  | { kind: "login"; userId: number; appId: string; passwordSet: number }
  | { kind: "activation"; userId: number; sealedSecret: string };

type Stored = MfaSession & { expires: number; failures: number };

export interface MfaSessions {
  /** Opens a session; returns its mfaToken. */
  open(session: MfaSession): Promise<string>;
  /** The live session of `token` for this account (of this kind, if given), else null. */
  find(token: string | null, userId: number, kind?: MfaSession["kind"]): Promise<MfaSession | null>;
  /** A wrong code: the session is burnt at MAX_CODE_FAILURES. */
  recordFailure(token: string): Promise<void>;
  close(token: string): Promise<void>;
}

export function createMfaSessions(storage: SyncKvStorage, now: () => number = Date.now): MfaSessions {
  const keyOf = async (token: string) => PREFIX + (await sha256Hex(token));
  const prune = (at: number) => {
    const live = [...storage.list<Stored>({ prefix: PREFIX })].filter(([key, s]) => {
      if (s.expires > at) return true;
      storage.delete(key);
      return false;
    });
    live.sort(([, a], [, b]) => a.expires - b.expires);
    for (const [key] of live.slice(0, Math.max(0, live.length - MAX_SESSIONS + 1))) storage.delete(key);
  };
  return {
    async open(session) {
      const at = now();
      prune(at);
      const token = newToken();
      storage.put<Stored>(await keyOf(token), { ...session, expires: at + MFA_SESSION_TTL_MS, failures: 0 });
      return token;
    },
    async find(token, userId, kind) {
      if (!token) return null;
      const key = await keyOf(token);
      const stored = storage.get<Stored>(key);
      if (!stored) return null;
      if (stored.expires <= now()) {
        storage.delete(key);
        return null;
      }
      // The user id guards against an account deleted and created again under the same name.
      if (stored.userId !== userId || (kind && stored.kind !== kind)) return null;
      const { expires: _expires, failures: _failures, ...session } = stored;
      return session;
    },
    async recordFailure(token) {
      const key = await keyOf(token);
      const stored = storage.get<Stored>(key);
      if (!stored) return;
      if (stored.failures + 1 >= MAX_CODE_FAILURES) storage.delete(key);
      else storage.put<Stored>(key, { ...stored, failures: stored.failures + 1 });
    },
    async close(token) {
      storage.delete(await keyOf(token));
    },
  };
}
