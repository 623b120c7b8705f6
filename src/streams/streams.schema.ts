/** Params of the streams methods (one schema per method; types from z.infer). */
import { z } from "zod";
import { booleanParam, numberParam } from "../methods/param-types";
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
