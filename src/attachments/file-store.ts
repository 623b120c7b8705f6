/**
 * Files in R2, written as they arrive: one `put` for a small file, a
 * multipart upload in 5 MiB parts above that, so at most one part is ever in
 * memory. The SHA-256 is computed on the way (the attachment's integrity).
 * Keys are `{userId}/{fileId}`: internal ids only, nothing the client chose.
 */
import { errors } from "../errors";

/** R2 multipart parts: all but the last of exactly this size. */
export const PART_SIZE = 5 * 1024 * 1024;

export function fileKey(userId: number, fileId: string): string {
  return `${userId}/${fileId}`;
}

export function accountPrefix(userId: number): string {
  return `${userId}/`;
}

export interface Budget {
  /** Bytes one file may take. */
  maxFileBytes: number;
  /** Bytes one request may take. */
  maxRequestBytes: number;
  /** Bytes the whole request may still take (decreases as files are read). */
  remaining: number;
}

function toBase64(bytes: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function joined(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Streams `chunks` into R2 at `key`; throws (and leaves nothing) if the budget
 * is exceeded. `onMultipart` gets the id of the multipart upload, if one is
 * needed, before its first part is written: if this call dies, only that id
 * lets the parts be removed.
 */
export async function storeFile(
  bucket: R2Bucket,
  key: string,
  chunks: AsyncIterable<Uint8Array>,
  budget: Budget,
  contentType: string,
  onMultipart: (uploadId: string) => Promise<void>,
): Promise<{ size: number; integrity: string }> {
  const digest = new crypto.DigestStream("SHA-256");
  const hasher = digest.getWriter();
  // Aborting the hasher (below) rejects this promise; it is only awaited on success.
  const digested = digest.digest;
  digested.catch(() => undefined);
  let pending: Uint8Array[] = [];
  let pendingSize = 0;
  let size = 0;
  let upload: R2MultipartUpload | null = null;
  const parts: R2UploadedPart[] = [];
  const httpMetadata = { contentType };
  try {
    for await (const chunk of chunks) {
      size += chunk.length;
      budget.remaining -= chunk.length;
      if (size > budget.maxFileBytes) throw errors.fileTooLarge(budget.maxFileBytes, "file");
      if (budget.remaining < 0) throw errors.fileTooLarge(budget.maxRequestBytes, "request");
      await hasher.write(chunk);
      pending.push(chunk);
      pendingSize += chunk.length;
      while (pendingSize >= PART_SIZE) {
        const all = joined(pending, pendingSize);
        if (!upload) {
          upload = await bucket.createMultipartUpload(key, { httpMetadata });
          await onMultipart(upload.uploadId);
        }
        parts.push(await upload.uploadPart(parts.length + 1, all.subarray(0, PART_SIZE)));
        pending = [all.subarray(PART_SIZE)];
        pendingSize -= PART_SIZE;
      }
    }
    await hasher.close();
    const integrity = `sha256-${toBase64(await digested)}`;
    const rest = joined(pending, pendingSize);
    if (upload) {
      if (rest.length) parts.push(await upload.uploadPart(parts.length + 1, rest));
      await upload.complete(parts);
    } else {
      await bucket.put(key, rest, { httpMetadata });
    }
    return { size, integrity };
  } catch (err) {
    await upload?.abort().catch(() => undefined);
    await hasher.abort().catch(() => undefined);
    throw err;
  }
}

/**
 * Aborts an unfinished multipart upload, freeing its parts (deleting the key
 * does not: they are no object yet). One already completed or aborted is fine.
 */
export async function abortMultipart(bucket: R2Bucket, key: string, uploadId: string): Promise<void> {
  try {
    await bucket.resumeMultipartUpload(key, uploadId).abort();
  } catch (err) {
    // R2 ends its error messages with the code; 10024 is NoSuchUpload.
    if (!(err instanceof Error && err.message.endsWith("(10024)"))) throw err;
  }
}

/** Deletes every object whose key starts with `prefix` (up to `max` in one call); returns how many. */
export async function deletePrefix(bucket: R2Bucket, prefix: string, max = 10_000): Promise<number> {
  let deleted = 0;
  while (deleted < max) {
    const listed = await bucket.list({ prefix, limit: 1000 });
    if (!listed.objects.length) break;
    await bucket.delete(listed.objects.map((o) => o.key));
    deleted += listed.objects.length;
    if (!listed.truncated) break;
  }
  return deleted;
}
