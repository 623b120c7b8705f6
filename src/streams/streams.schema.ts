/** Params of the streams methods (one schema per method; types from z.infer). */
import { z } from "zod";
import { booleanParam, numberParam } from "../methods/param-types";
import { changeTracking, clientDataResult, itemDeletion } from "../methods/result-parts";
import { LIMITS, withinBytes } from "../shared/limits";

const clientData = withinBytes(z.record(z.string(), z.unknown()), LIMITS.jsonBytes).nullable();
const id = z.string().min(1).max(LIMITS.shortText);

export const streamsGetParams = z.strictObject({
  parentId: id.optional(),
  state: z.enum(["default", "all"]).default("default"),
  includeDeletionsSince: numberParam.optional(),
});

export const streamCreateParams = z.strictObject({
  id: z.string().min(1).max(256).optional(),
  name: z.string().trim().min(1).max(256),
  parentId: id.nullable().optional(),
  clientData: clientData.optional(),
  trashed: z.boolean().nullable().optional(),
  // Read-only fields a client may echo back; they are ignored.
  children: z.array(z.unknown()).nullable().optional(),
  childrenHidden: z.boolean().nullable().optional(),
  created: z.unknown().optional(),
  createdBy: z.unknown().optional(),
  modified: z.unknown().optional(),
  modifiedBy: z.unknown().optional(),
});

/** Fields a stream update may change; the read-only ones are refused with `forbidden`. */
export const STREAM_PROTECTED_FIELDS = ["id", "children", "childrenHidden", "created", "createdBy", "modified", "modifiedBy"] as const;

export const streamUpdateParams = z.strictObject({
  id,
  update: z.strictObject({
    name: z.string().trim().min(1).max(256).optional(),
    parentId: id.nullable().optional(),
    clientData: clientData.optional(),
    trashed: z.boolean().optional(),
    ...Object.fromEntries(STREAM_PROTECTED_FIELDS.map((field) => [field, z.unknown().optional()])),
  }),
});

export const streamDeleteParams = z.strictObject({
  id,
  mergeEventsWithParent: booleanParam.optional(),
});

export type StreamUpdateParams = z.output<typeof streamUpdateParams>;

// Results (what the handlers return; `meta` is added by the HTTP layer).

/** A stream as toStream emits it (null clientData and `trashed: false` left out); `children` in trees (streams.get). */
export const streamResult = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** null: a root stream. */
  parentId: z.string().nullable(),
  clientData: clientDataResult.optional(),
  get children() {
    return z.array(streamResult).optional();
  },
  /** Present (true) only for trashed streams. */
  trashed: z.boolean().optional(),
  // Spelled out: a spread here would hide the recursive type from inference.
  created: changeTracking.created,
  createdBy: changeTracking.createdBy,
  modified: changeTracking.modified,
  modifiedBy: changeTracking.modifiedBy,
});
// Registered apart: chained, `.meta()` would make the recursive type refer to itself.
z.globalRegistry.add(streamResult, { id: "Stream" });

/** `streamDeletions` whenever `includeDeletionsSince` was given. */
export const streamsGetResult = z.strictObject({
  streams: z.array(streamResult),
  streamDeletions: z.array(itemDeletion).optional(),
});

export const streamResultBody = z.strictObject({ stream: streamResult });

/** What became of each event of a deleted stream. */
const updatedEvent = z.strictObject({ id: z.string(), action: z.enum(["deleted", "mergedToParent", "updatedStreamIds"]) });

/** First call: the stream, trashed; second call (already trashed): its deletion and what became of its events. */
export const streamDeleteResult = z.union([
  streamResultBody,
  z.strictObject({ updatedEvents: z.array(updatedEvent), streamDeletion: itemDeletion }),
]);
