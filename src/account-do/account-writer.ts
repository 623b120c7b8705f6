/** What a write method gets from the account's Durable Object while it holds the write lock. */

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
}
