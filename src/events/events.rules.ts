/** Rules shared by the event-writing methods: stream references, content, versions, scope changes. */
import { getSystemStream, isSystemStreamId } from "../account/system-streams";
import type { Config } from "../config";
import type { Env } from "../env";
import { ApiError, errors } from "../errors";
import { eventTypes } from "../event-types/event-types";
import type { StreamTree } from "../streams/stream-tree";
import type { ApiEvent } from "./events.schema";
import { eventIntegrity } from "./integrity";
import { jsonBytes, LIMITS } from "../shared/limits";

/** D1 rows hold at most ~2 MB; larger data belongs in attachments. */
export const MAX_EVENT_DATA_BYTES = LIMITS.jsonBytes;

export function dedupe(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/**
 * Checks that `streamIds` name existing, non-trashed, ordinary streams:
 * system streams → invalid-operation, unknown → unknown-referenced-resource,
 * trashed → invalid-operation (only the `checkTrashed` ones, e.g. added ones).
 */
export function assertStreamsUsable(tree: StreamTree, streamIds: readonly string[], checkTrashed = streamIds): void {
  const system = streamIds.filter(isSystemStreamId);
  if (system.length) {
    throw errors.invalidOperation(
      "Events of system streams are the account's fields: change them with account.update (or events.update of their event).",
      { streamIds: system },
    );
  }
  const unknown = streamIds.filter((id) => !tree.has(id));
  if (unknown.length) throw errors.unknownReferencedResource(unknown.length > 1 ? "streams" : "stream", "streamIds", unknown);
  const trashed = checkTrashed.filter((id) => tree.get(id)?.trashed);
  if (trashed.length) {
    throw errors.invalidOperation(`The referenced streams "${trashed.join(",")}" are trashed.`, { trashedReference: "streamIds" });
  }
}

/** Type and content checks: high-frequency series are not served; known types are validated (no coercion). */
export async function assertContentValid(env: Env, config: Config, type: string, content: unknown): Promise<void> {
  if (type.startsWith("series:")) {
    throw new ApiError(
      "invalid-event-type",
      `Event type '${type}': high-frequency series are not served by this service (see service info features.noHF).`,
      { data: { type } },
    );
  }
  (await eventTypes(env, config)).assertValid(type, content);
}

export function assertEventSize(event: Pick<ApiEvent, "content" | "description" | "clientData">): void {
  // UTF-8 bytes, as D1 counts them (a character may take up to 4).
  const size = jsonBytes(event.content ?? null) + jsonBytes(event.description ?? null) + jsonBytes(event.clientData ?? null);
  if (size > MAX_EVENT_DATA_BYTES) {
    throw errors.invalidParametersFormat(
      `The event's content, description and clientData exceed ${MAX_EVENT_DATA_BYTES} bytes: store large data as an attachment.`,
      [{ code: "too_big", message: `must be at most ${MAX_EVENT_DATA_BYTES} bytes as JSON`, path: "#/content", param: "content" }],
    );
  }
}

/** Sets `integrity` (computed over everything else). */
export async function sealed(event: ApiEvent): Promise<ApiEvent> {
  const { integrity: _old, ...rest } = event;
  return { ...rest, integrity: await eventIntegrity(rest as Record<string, unknown>) };
}

/** Key-wise merge of clientData: `null` removes a key; `null` as a whole clears it. */
export function mergeClientData(
  current: Record<string, unknown> | undefined,
  update: Record<string, unknown> | null | undefined,
): Record<string, unknown> | undefined {
  if (update === undefined) return current;
  if (update === null) return undefined;
  const merged = new Map(Object.entries(current ?? {}));
  for (const [key, value] of Object.entries(update)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return merged.size ? Object.fromEntries(merged) : undefined;
}

/**
 * Streams whose scope the event enters or leaves when filed under `after`
 * instead of `before` (each stream covers its descendants).
 */
export function scopeDelta(tree: StreamTree, before: readonly string[], after: readonly string[]): Set<string> {
  const was = tree.coverage(before);
  const is = tree.coverage(after);
  const delta = new Set<string>();
  for (const id of was) if (!is.has(id)) delta.add(id);
  for (const id of is) if (!was.has(id)) delta.add(id);
  return delta;
}

/** True for the account's own field events (ids are their system stream ids). */
export function isAccountEvent(id: string): boolean {
  return getSystemStream(id) !== undefined;
}
