/**
 * Size limits of stored fields (README "Limits"). D1 refuses any value or
 * row over 2 000 000 bytes (SQLITE_TOOBIG), and an event row also holds
 * its previous version in the history table, so every field is bounded
 * here, before D1, with a 400 naming the field and its limit.
 */
import { z } from "zod";
import { invalidParams } from "../errors";

export const LIMITS = {
  /**
   * Any JSON field as sent (`clientData` of a stream or an access), an
   * event's `content`, `description` and `clientData` together (after a
   * merge too), and one profile set after the merge.
   */
  jsonBytes: 1024 * 1024,
  /** Ids, names, types, tokens: short texts. */
  shortText: 256,
} as const;

const encoder = new TextEncoder();

/** UTF-8 size of a value's JSON text. */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : encoder.encode(text).byteLength;
}

const tooBig = (limit: number) => `must be at most ${limit} bytes as JSON`;

/** `schema`, refusing values whose JSON is over `limit` bytes. */
export function withinBytes<T extends z.ZodType>(schema: T, limit: number) {
  return schema.refine((value) => value === undefined || value === null || jsonBytes(value) <= limit, tooBig(limit));
}

/** For values assembled by a method (merges): the same refusal as the schemas give. */
export function assertWithinBytes(param: string, path: string[], value: unknown, limit: number): void {
  if (jsonBytes(value) <= limit) return;
  throw invalidParams([{ code: "too_big", message: tooBig(limit), path: `#/${path.join("/")}`, param }]);
}
