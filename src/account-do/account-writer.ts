/** What a write method gets from the account's Durable Object while it holds the write lock. */
import type { StreamTree } from "../streams/stream-tree";
import type { FileLedger } from "./file-ledger";
import type { StreamRow } from "../streams/streams.store";
import type { MfaSessions } from "../mfa/mfa-sessions";

/** One per write operation: strictly increasing per account. */
export interface WriteStamp {
  /** Float seconds; also used as `modified` (so `modifiedSince` sync never misses a write). */
  time: number;
  serial: number;
}

/**
 * Password-guessing throttle of the account, per client (see login-guard.ts):
 * `client` is `addressClient(ip)` for logins, `sessionClient(accessId)` for
 * calls made with a valid personal token.
 */
export interface LoginGuard {
  /** Throws `too-many-requests` (429, Retry-After) while `client` must wait after repeated failures. */
  assertAllowed(client: string): void;
  recordFailure(client: string): void;
  /** `client` gave the right password: its failures are forgotten. */
  forgive(client: string): void;
  /** Forgets every client (the account was created or deleted). */
  reset(): void;
}

export interface AccountWriter {
  stamp(): WriteStamp;
  loginGuard: LoginGuard;
  /**
   * The account's live streams, kept in the Durable Object between calls:
   * every stream write goes through it, so the copy stays exact.
   */
  streamTree(userId: number): Promise<StreamTree<StreamRow>>;
  /** Forgets that copy; stream-writing methods call it before writing. */
  streamsChanged(): void;
  /** The account's files in R2: uploads to keep, objects to remove. */
  files: FileLedger;
  /** Pending MFA logins and activations (src/mfa/mfa-sessions.ts), in this object's storage. */
  mfaSessions: MfaSessions;
  /** The account was deleted: drop what this object keeps about it (usage, caches, login guard). */
  forgetAccount(): void;
}
