/** What a write method gets from the account's Durable Object while it holds the write lock. */
import type { StreamTree } from "../streams/stream-tree";
import type { FileLedger } from "./file-ledger";
import type { StreamRow } from "../streams/streams.store";

/** One per write operation: strictly increasing per account. */
export interface WriteStamp {
  /** Float seconds; also used as `modified` (so `modifiedSince` sync never misses a write). */
  time: number;
  serial: number;
}

export interface LoginGuard {
  /** Throws `too-many-requests` while the account is locked after repeated failures. */
  assertAllowed(): void;
  recordFailure(): void;
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
  /** The account was deleted: drop what this object keeps about it (usage, caches, login guard). */
  forgetAccount(): void;
}
