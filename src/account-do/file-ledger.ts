/**
 * Keeps R2 free of orphans. Every upload is registered as pending before its
 * bytes are written, with its R2 multipart upload if it needs one; the call
 * that files it in an event marks it committed. Files to remove (deleted
 * events, streams, accounts, failed calls) are listed here and removed after
 * the database says so. The alarm removes what is listed and any pending
 * upload left behind by a call that died.
 */
import { abortMultipart, deletePrefix } from "../attachments/file-store";

const PENDING = "file-pending:";
const MULTIPART = "file-multipart:";
const DISCARD = "file-discard:";
const DISCARD_PREFIX = "file-discard-prefix:";
/** An upload not filed in an event within this time was abandoned. */
export const PENDING_TTL_MS = 60 * 60 * 1000;
/** Keys one R2 `delete` takes. */
const DELETE_BATCH = 1000;

export interface FileLedger {
  /** These uploads now belong to an event. */
  committed(keys: readonly string[]): void;
  /** Remove these objects (once the database no longer refers to them). */
  discard(keys: readonly string[]): void;
  /** Remove every object under this prefix (an account's files). */
  discardPrefix(prefix: string): void;
}

function forget(storage: SyncKvStorage, key: string): void {
  for (const record of [PENDING, MULTIPART, DISCARD]) storage.delete(`${record}${key}`);
}

export function createFileLedger(storage: SyncKvStorage, wakeUp: (inMs: number) => void): FileLedger {
  return {
    committed(keys) {
      for (const key of keys) forget(storage, key);
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

/** The pending file `key` is being written by this R2 multipart upload. */
export function recordMultipart(storage: SyncKvStorage, key: string, uploadId: string): void {
  storage.put(`${MULTIPART}${key}`, uploadId);
}

function keysUnder(storage: SyncKvStorage, prefix: string): string[] {
  return [...storage.list({ prefix })].map(([key]) => key.slice(prefix.length));
}

async function abortRecorded(storage: SyncKvStorage, bucket: R2Bucket, key: string): Promise<void> {
  const uploadId = storage.get<string>(`${MULTIPART}${key}`);
  if (uploadId !== undefined) await abortMultipart(bucket, key, uploadId);
}

/** Removes these files, unfinished multipart uploads included, and every record of them. */
async function removeFiles(storage: SyncKvStorage, bucket: R2Bucket, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    for (const key of batch) await abortRecorded(storage, bucket, key);
    await bucket.delete(batch);
    for (const key of batch) forget(storage, key);
  }
}

/**
 * Removes what is due: discarded objects, abandoned uploads. Returns when the
 * next pending upload will be due, if any.
 */
export async function sweepFiles(storage: SyncKvStorage, bucket: R2Bucket, now: number): Promise<number | null> {
  await removeFiles(storage, bucket, keysUnder(storage, DISCARD));
  for (const prefix of keysUnder(storage, DISCARD_PREFIX)) {
    // An unfinished multipart upload is no object `deletePrefix` could list. The
    // pending records stay: a call still writing a small file is swept later.
    for (const rest of keysUnder(storage, `${PENDING}${prefix}`)) await abortRecorded(storage, bucket, `${prefix}${rest}`);
    await deletePrefix(bucket, prefix, Number.POSITIVE_INFINITY);
    storage.delete(`${DISCARD_PREFIX}${prefix}`);
  }
  const abandoned: string[] = [];
  let nextDue: number | null = null;
  for (const [key, since] of storage.list<number>({ prefix: PENDING })) {
    if (now - since >= PENDING_TTL_MS) abandoned.push(key.slice(PENDING.length));
    else nextDue = Math.min(nextDue ?? Number.POSITIVE_INFINITY, since + PENDING_TTL_MS);
  }
  await removeFiles(storage, bucket, abandoned);
  return nextDue;
}
