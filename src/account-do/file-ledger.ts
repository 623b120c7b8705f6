/**
 * Keeps R2 free of orphans. Every upload is registered as pending before its
 * bytes are written; the call that files it in an event marks it committed.
 * Files to remove (deleted events, streams, accounts) are listed here and
 * removed after the database says so. The alarm removes what is listed and
 * any pending upload left behind by a call that died.
 */
import { deletePrefix } from "../attachments/file-store";

const PENDING = "file-pending:";
const DISCARD = "file-discard:";
const DISCARD_PREFIX = "file-discard-prefix:";
/** An upload not filed in an event within this time was abandoned. */
export const PENDING_TTL_MS = 60 * 60 * 1000;

export interface FileLedger {
  /** These uploads now belong to an event. */
  committed(keys: readonly string[]): void;
  /** Remove these objects (once the database no longer refers to them). */
  discard(keys: readonly string[]): void;
  /** Remove every object under this prefix (an account's files). */
  discardPrefix(prefix: string): void;
}

export function createFileLedger(storage: SyncKvStorage, wakeUp: (inMs: number) => void): FileLedger {
  return {
    committed(keys) {
      for (const key of keys) storage.delete(`${PENDING}${key}`);
    },
    discard(keys) {
      for (const key of keys) storage.put(`${DISCARD}${key}`, Date.now());
      if (keys.length) wakeUp(0);
    },
    discardPrefix(prefix) {
      storage.put(`${DISCARD_PREFIX}${prefix}`, Date.now());
      wakeUp(0);
    },
  };
}

export function markPending(storage: SyncKvStorage, key: string): void {
  storage.put(`${PENDING}${key}`, Date.now());
}

/**
 * Removes what is due: discarded objects, abandoned uploads. Returns when the
 * next pending upload will be due, if any.
 */
export async function sweepFiles(storage: SyncKvStorage, bucket: R2Bucket, now: number): Promise<number | null> {
  const discarded = [...storage.list<number>({ prefix: DISCARD })].map(([key]) => key);
  for (let i = 0; i < discarded.length; i += 1000) {
    const batch = discarded.slice(i, i + 1000);
    await bucket.delete(batch.map((k) => k.slice(DISCARD.length)));
    for (const key of batch) storage.delete(key);
  }
  for (const [key] of storage.list<number>({ prefix: DISCARD_PREFIX })) {
    await deletePrefix(bucket, key.slice(DISCARD_PREFIX.length), Number.POSITIVE_INFINITY);
    storage.delete(key);
  }
  let nextDue: number | null = null;
  for (const [key, since] of storage.list<number>({ prefix: PENDING })) {
    if (now - since >= PENDING_TTL_MS) {
      await bucket.delete(key.slice(PENDING.length));
      storage.delete(key);
    } else {
      nextDue = Math.min(nextDue ?? Number.POSITIVE_INFINITY, since + PENDING_TTL_MS);
    }
  }
  return nextDue;
}
