/**
 * The service's only log lines: what failed, never with what. A thrown
 * error's message or stack may quote personal data — a D1 error names the
 * statement and its bound values, a validation error the input — so a line
 * holds the place, the method id, the error id, a correlation id (also sent
 * to the client, to match a report with its line), the error's class and any
 * SQLite/D1 error codes, and nothing else.
 */
import { ApiError } from "../errors";

const CODES = /\b(?:SQLITE|D1)_[A-Z_]+\b/g;

function codesOf(err: unknown): string[] {
  const codes = new Set<string>();
  for (let e = err, hops = 0; e instanceof Error && hops < 5; e = e.cause, hops++) {
    for (const code of e.message.match(CODES) ?? []) codes.add(code);
  }
  return [...codes];
}

/** Logs a failure of background work (no client waits for it). */
export function logFailure(where: string, err: unknown, methodId?: string): string {
  const correlationId = crypto.randomUUID();
  const line: Record<string, unknown> = { level: "error", where, correlationId };
  if (methodId && /^[A-Za-z]+\.[A-Za-z]+$/.test(methodId)) line.method = methodId; // ids only, never client text
  line.error = err instanceof ApiError ? err.id : "unexpected-error";
  line.kind = err instanceof Error ? err.constructor.name : typeof err;
  const codes = codesOf(err);
  if (codes.length) line.codes = codes;
  console.error(JSON.stringify(line));
  return correlationId;
}

/** Logs an unexpected failure of a call and returns the error its client gets. */
export function unexpectedError(where: string, err: unknown, methodId?: string): ApiError {
  const correlationId = logFailure(where, err, methodId);
  return new ApiError("unexpected-error", "An unexpected error occurred; it has been logged.", { data: { correlationId } });
}
