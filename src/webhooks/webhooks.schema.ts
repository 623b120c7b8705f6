/** Params of the webhooks methods, the Webhook API shape and the service's webhook settings. */
import { z } from "zod";
import { changeTracking, itemDeletion, timestamp } from "../methods/result-parts";
import { LIMITS } from "../shared/limits";
import { MAX_URL_LENGTH } from "./url-policy";

/** As the reference: `maxRetries` 5, `minIntervalMs` 5000; runs kept: 50. */
export const WEBHOOK_DEFAULTS = { maxRetries: 5, minIntervalMs: 5000, runsSize: 50 } as const;
/** Each call gives up after this long (status 0 in `runs`). */
export const CALL_TIMEOUT_MS = 10_000;

const id = z.string().min(1).max(LIMITS.shortText);

export const webhookCreateParams = z.strictObject({ url: z.string().min(1).max(MAX_URL_LENGTH) });

export const webhookIdParams = z.strictObject({ id });

/** Read-only fields: naming one in an update is `forbidden` (as the reference). */
export const WEBHOOK_PROTECTED_FIELDS = [
  "id",
  "accessId",
  "url",
  "runCount",
  "failCount",
  "currentRetries",
  "maxRetries",
  "minIntervalMs",
  "lastRun",
  "runs",
  "created",
  "createdBy",
  "modified",
  "modifiedBy",
] as const;

export const webhookUpdateParams = z.strictObject({
  id,
  update: z
    .looseObject({ state: z.enum(["active", "inactive"]).optional() })
    .refine(
      (u) => Object.keys(u).every((k) => k === "state" || (WEBHOOK_PROTECTED_FIELDS as readonly string[]).includes(k)),
      "only `state` may be updated",
    ),
});

export interface WebhookRun {
  /** HTTP status of the receiver's answer; 0 for a network error, a timeout or a refused target. */
  status: number;
  timestamp: number;
}

export interface ApiWebhook {
  id: string;
  accessId: string;
  url: string;
  state: "active" | "inactive";
  runCount: number;
  failCount: number;
  currentRetries: number;
  maxRetries: number;
  minIntervalMs: number;
  lastRun: WebhookRun;
  runs: WebhookRun[];
  created: number;
  createdBy: string;
  modified: number;
  modifiedBy: string;
}

// Results (what the handlers return; `meta` is added by the HTTP layer).

const webhookRunResult = z.strictObject({
  /** HTTP status of the receiver's answer; 0 for a network error, a timeout or a refused target. */
  status: z.number(),
  timestamp,
});

/** A webhook as toApiWebhook emits it; `lastRun` is `{status: 0, timestamp: 0}` before any run. */
export const webhookResult = z
  .strictObject({
    id: z.string(),
    accessId: z.string(),
    url: z.string(),
    state: z.enum(["active", "inactive"]),
    runCount: z.number(),
    failCount: z.number(),
    currentRetries: z.number(),
    maxRetries: z.number(),
    minIntervalMs: z.number(),
    lastRun: webhookRunResult,
    /** Newest first. */
    runs: z.array(webhookRunResult),
    ...changeTracking,
  })
  .meta({ id: "Webhook", description: "A URL the service POSTs `{messages, meta}` to when data its access may read changes." });

export const webhooksGetResult = z.strictObject({ webhooks: z.array(webhookResult) });
export const webhookResultBody = z.strictObject({ webhook: webhookResult });
export const webhookDeleteResult = z.strictObject({ webhookDeletion: itemDeletion });
