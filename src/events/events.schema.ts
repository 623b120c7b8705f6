/** Params of the events methods and the Event type. */
import { z } from "zod";
import { EVENT_TYPE_PATTERN } from "../event-types/event-types";
import { booleanParam, listParam, numberParam } from "../methods/param-types";
import { changeTracking, clientDataResult, timestamp } from "../methods/result-parts";
import { LIMITS } from "../shared/limits";
import { contentConditionsParam } from "./content-query";

/** Client-chosen ids: cuid (`c` + 24) or cuid2 (24 characters starting with a letter), as the reference. */
export const EVENT_ID_PATTERN = /^(c[a-z0-9-]{24}|[a-z][a-z0-9]{23})$/;
/** Types in filters may use a `class/*` wildcard. */
const TYPE_FILTER_PATTERN = /^(series:)?[a-z0-9-]+\/(\*|[a-z0-9-]+)$/;

// Sizes: content, description and clientData are bounded together (events.rules.ts assertEventSize).
const clientData = z.record(z.string(), z.unknown()).nullable();
const content = z.unknown();
const description = z.string();
const eventType = z.string().max(LIMITS.shortText);
const id = z.string().min(1).max(LIMITS.shortText);
const streamIds = z.array(z.string().min(1).max(256)).min(1).max(100);
const time = z.number().min(-1e11).max(1e11);

/** Read-only fields a client may echo back on create; they are ignored. */
const echoed = {
  created: z.unknown().optional(),
  createdBy: z.unknown().optional(),
  modified: z.unknown().optional(),
  modifiedBy: z.unknown().optional(),
  integrity: z.unknown().optional(),
};

export const eventCreateParams = z.strictObject({
  id: z.string().regex(EVENT_ID_PATTERN, "must be a cuid (c + 24 characters) or a cuid2").optional(),
  streamIds,
  type: eventType.regex(EVENT_TYPE_PATTERN, 'must be "class/format": lowercase letters, digits and dashes'),
  time: time.nullable().optional(),
  duration: z.number().min(0).max(1e11).nullable().optional(),
  content: content.optional(),
  description: description.nullable().optional(),
  clientData: clientData.optional(),
  trashed: z.boolean().nullable().optional(),
  ...echoed,
});
export type EventCreateParams = z.output<typeof eventCreateParams>;

export const EVENT_PROTECTED_FIELDS = ["id", "attachments", "created", "createdBy", "modified", "modifiedBy", "integrity"] as const;

export const eventUpdateParams = z.strictObject({
  id,
  update: z.strictObject({
    streamIds: streamIds.optional(),
    type: eventType.regex(EVENT_TYPE_PATTERN).optional(),
    time: time.optional(),
    duration: z.number().min(0).max(1e11).nullable().optional(),
    content: content.optional(),
    description: description.nullable().optional(),
    clientData: clientData.optional(),
    trashed: z.boolean().optional(),
    ...Object.fromEntries(EVENT_PROTECTED_FIELDS.map((field) => [field, z.unknown().optional()])),
  }),
});
export type EventUpdateParams = z.output<typeof eventUpdateParams>;

export const eventGetOneParams = z.strictObject({
  id,
  includeHistory: booleanParam.optional(),
});

export const eventDeleteParams = z.strictObject({ id });

/** `streams` of events.get: ids, or the `{any, all, not}` query (an object, an array of them, or their JSON text). */
export const streamsQueryParam = z.unknown();

export const eventsGetParams = z.strictObject({
  streams: streamsQueryParam.optional(),
  types: listParam(eventType.regex(TYPE_FILTER_PATTERN, 'must be "class/format" or "class/*"')).nullable().optional(),
  fromTime: numberParam.optional(),
  toTime: numberParam.optional(),
  running: booleanParam.optional(),
  sortAscending: booleanParam.optional(),
  skip: numberParam.pipe(z.number().int().min(0)).optional(),
  limit: numberParam.pipe(z.number().int().min(0)).optional(),
  state: z.enum(["default", "trashed", "all"]).default("default"),
  modifiedSince: numberParam.optional(),
  includeDeletions: booleanParam.optional(),
  content: contentConditionsParam("content").optional(),
  clientData: contentConditionsParam("clientData").optional(),
});
export type EventsGetParams = z.output<typeof eventsGetParams>;

export interface Attachment {
  id: string;
  fileName: string;
  type: string;
  size: number;
  integrity?: string;
  readToken?: string;
}

export interface ApiEvent {
  id: string;
  streamIds: string[];
  type: string;
  time: number;
  duration?: number | null;
  content?: unknown;
  description?: string;
  clientData?: Record<string, unknown>;
  attachments?: Attachment[];
  trashed?: true;
  integrity?: string;
  created: number;
  createdBy: string;
  modified: number;
  modifiedBy: string;
}

export interface EventDeletion {
  id: string;
  deleted: number;
  integrity?: string;
}

// Results (what the handlers return; `meta` is added by the HTTP layer).

export const attachmentResult = z
  .strictObject({
    id: z.string(),
    fileName: z.string(),
    type: z.string(),
    size: z.number(),
    integrity: z.string().optional(),
    /** Per caller: lets the file be fetched with `?readToken=` instead of a token. */
    readToken: z.string().optional(),
  })
  .meta({ id: "Attachment", description: "A file attached to an event." });

/** An event as toApiEvent (and the trail of use, for `:_audit:` streams) emits it: null, `duration: 0` and `trashed: false` left out. */
export const eventResult = z
  .strictObject({
    id: z.string(),
    streamIds: z.array(z.string()),
    type: z.string(),
    time: timestamp,
    /** null: a running period. */
    duration: z.number().nullable().optional(),
    content: z.unknown().optional(),
    description: z.string().optional(),
    clientData: clientDataResult.optional(),
    attachments: z.array(attachmentResult).optional(),
    /** Present (true) only for trashed events. */
    trashed: z.boolean().optional(),
    integrity: z.string().optional(),
    ...changeTracking,
  })
  .meta({
    id: "Event",
    description: "A timestamped piece of data filed in one or more streams; null fields, `duration: 0` and `trashed: false` are left out.",
  });

export const eventDeletionResult = z
  .strictObject({ id: z.string(), deleted: timestamp, integrity: z.string().optional() })
  .meta({ id: "EventDeletion", description: "A deleted event: its id, when it was deleted, and the record's integrity." });

/** Streamed over HTTP; `eventDeletions` is there whenever `includeDeletions` was asked. */
export const eventsGetResult = z.strictObject({
  events: z.array(eventResult),
  eventDeletions: z.array(eventDeletionResult).optional(),
});

/** A deleted event answers with its deletion record; `history`: the past versions the caller may read, oldest first. */
export const eventGetOneResult = z.strictObject({
  event: z.union([eventResult, eventDeletionResult]),
  history: z.array(eventResult).optional(),
});

export const eventResultBody = z.strictObject({ event: eventResult });

/** First call: the event, trashed; second call (already trashed): its deletion. */
export const eventDeleteResult = z.union([eventResultBody, z.strictObject({ eventDeletion: eventDeletionResult })]);
