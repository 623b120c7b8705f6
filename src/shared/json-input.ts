/**
 * One rule for every JSON value a client sends — request bodies, batch calls,
 * the event part of an upload, JSON spelled in a query string: what is
 * acknowledged must be what is stored, so values that storage or the
 * runtime would alter or choke on are refused (400) instead of stored.
 *
 * - Strings (and keys) must be well-formed Unicode. A lone surrogate
 *   (`"\ud800"`) survives JSON but not a D1 text column, which stores UTF-8:
 *   it would read back as U+FFFD and break the event's integrity. Refusing
 *   was chosen over escaping it on the way in and out, which would make
 *   every text column a second encoding to keep in step.
 * - Numbers must be finite: `1e400` parses to Infinity, which JSON cannot
 *   store (it comes back as null).
 * - Containers nest at most MAX_JSON_DEPTH deep. Deeper values overflow the
 *   runtime's stack when handed to the account's Durable Object; 100 is also
 *   the nesting limit of the reference's storage (MongoDB documents).
 */
import { ApiError, invalidParams } from "../errors";

export const MAX_JSON_DEPTH = 100;

type Path = (string | number)[];

function refused(path: Path, code: string, message: string): never {
  throw invalidParams([{ code, message, path: `#/${path.join("/")}`, param: String(path[0] ?? "") }]);
}

// Recursion is safe: it stops at MAX_JSON_DEPTH levels.
function visit(value: unknown, path: Path): void {
  switch (typeof value) {
    case "string":
      if (!value.isWellFormed()) refused(path, "ill_formed_unicode", "must be well-formed Unicode (no lone surrogates)");
      return;
    case "number":
      if (!Number.isFinite(value)) refused(path, "not_finite", "must be a finite number");
      return;
    case "object": {
      if (value === null) return;
      if (path.length >= MAX_JSON_DEPTH) {
        throw new ApiError("invalid-request-structure", `JSON values may nest at most ${MAX_JSON_DEPTH} levels deep.`, {
          data: { limit: MAX_JSON_DEPTH },
        });
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          visit(value[i], path);
          path.pop();
        }
        return;
      }
      for (const key of Object.keys(value)) {
        path.push(key);
        if (!key.isWellFormed()) refused(path, "ill_formed_unicode", "keys must be well-formed Unicode (no lone surrogates)");
        visit((value as Record<string, unknown>)[key], path);
        path.pop();
      }
      return;
    }
    default:
      return;
  }
}

/** Throws the Pryv error for the first value the rule refuses. */
export function assertAcceptableJson(value: unknown): void {
  visit(value, []);
}

/** `JSON.parse` then the rule; a syntax error is thrown as the SyntaxError it is, for callers to word. */
export function parseJsonInput(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  assertAcceptableJson(value);
  return value;
}
