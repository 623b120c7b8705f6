/**
 * Param types that accept both JSON values (bodies, batch calls) and their
 * query-string spelling (`?limit=20&running=true&types=a&types=b`).
 */
import { z } from "zod";

/** A number, or a string spelling one (query strings). */
export const numberParam = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i, "must be a number")
    .transform(Number)
    // `1e999` spells a number but parses to Infinity.
    .refine(Number.isFinite, "must be a finite number"),
]);

/** A boolean, or "true"/"false" in any case (query strings). */
export const booleanParam = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i, "must be true or false")
    .transform((v) => v.toLowerCase() === "true"),
]);

/** An array, or a single value standing for a one-element array (a query key given once). */
export function listParam<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (Array.isArray(v) || v === undefined || v === null ? v : [v]), z.array(item));
}
