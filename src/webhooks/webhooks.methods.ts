/**
 * Webhooks: an app or shared access asks to be POSTed `{messages, meta}` when
 * data it may read changes (delivery.ts). An access manages its own webhooks;
 * a personal access sees and manages all of the account's, but creates none.
 */
import { z } from "zod";
import { isUniqueViolation } from "../account/account.store";
import type { AccessRecord } from "../accesses/accesses.store";
import { errors } from "../errors";
import { ANY_ACCESS, defineMethod, type MethodContext } from "../methods/method";
import { assertNoProtectedFields } from "../methods/updates";
import { newId } from "../shared/ids";
import { nowSeconds } from "../shared/time";
import { accountStub } from "../account-do/stub";
import { callWebhook } from "./delivery";
import { privateTargetsAllowed, refusedTarget } from "./url-policy";
import {
  WEBHOOK_DEFAULTS,
  WEBHOOK_PROTECTED_FIELDS,
  webhookCreateParams,
  webhookIdParams,
  webhookUpdateParams,
  webhookDeleteResult,
  webhookResultBody,
  webhooksGetResult,
} from "./webhooks.schema";
import {
  deleteWebhookRow,
  findByUrl,
  findWebhook,
  insertWebhook,
  listWebhooks,
  toApiWebhook,
  updateWebhookRow,
  type WebhookRecord,
} from "./webhooks.store";

const APP_OR_SHARED = { kind: "access", types: ["app", "shared"] } as const;

/** `invalid-parameters-format` when the url may not be called (scheme, private target). */
function assertCallable(ctx: MethodContext, url: string): void {
  const refused = refusedTarget(url, privateTargetsAllowed(ctx.env));
  if (refused) throw errors.invalidParametersFormat(`The webhook's ${refused}.`, { url });
}

const inScope = (webhook: WebhookRecord, access: AccessRecord) => access.type === "personal" || webhook.accessId === access.id;

/** The webhook `id`: 404 when unknown, 403 when another access's (as the reference). */
async function ownWebhook(ctx: MethodContext, id: string): Promise<WebhookRecord> {
  const webhook = await findWebhook(ctx.db, ctx.user!.id, id);
  if (!webhook) throw errors.unknownResource("webhook", id);
  if (!inScope(webhook, ctx.access!)) throw errors.forbidden("The webhook was not created by this access.");
  return webhook;
}

const get = defineMethod({
  id: "webhooks.get",
  result: webhooksGetResult,
  scope: "account",
  params: z.object({}),
  permission: ANY_ACCESS,
  writes: false,
  handler: async (ctx) => {
    const access = ctx.access!;
    const rows = await listWebhooks(ctx.db, ctx.user!.id, access.type === "personal" ? undefined : access.id);
    return { webhooks: rows.map(toApiWebhook) };
  },
});

const getOne = defineMethod({
  id: "webhooks.getOne",
  result: webhookResultBody,
  scope: "account",
  params: webhookIdParams,
  permission: ANY_ACCESS,
  writes: false,
  handler: async (ctx, { id }) => ({ webhook: toApiWebhook(await ownWebhook(ctx, id)) }),
});

const create = defineMethod({
  id: "webhooks.create",
  result: webhookResultBody,
  scope: "account",
  params: webhookCreateParams,
  permission: APP_OR_SHARED,
  writes: true,
  status: 201,
  handler: async (ctx, { url }) => {
    const { db, user, access, writer } = ctx;
    assertCallable(ctx, url);
    const conflict = () => errors.itemAlreadyExists("webhook", { url });
    if (await findByUrl(db, user!.id, access!.id, url)) throw conflict();
    const time = (await writer!.stamp()).time;
    const row = {
      userId: user!.id,
      id: newId(),
      accessId: access!.id,
      url,
      maxRetries: WEBHOOK_DEFAULTS.maxRetries,
      minIntervalMs: WEBHOOK_DEFAULTS.minIntervalMs,
      created: time,
      createdBy: access!.id,
      modified: time,
      modifiedBy: access!.id,
    };
    try {
      await insertWebhook(db, row).run();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict();
      throw err;
    }
    return { webhook: toApiWebhook((await findWebhook(db, user!.id, row.id))!) };
  },
});

const update = defineMethod({
  id: "webhooks.update",
  result: webhookResultBody,
  scope: "account",
  params: webhookUpdateParams,
  permission: ANY_ACCESS,
  writes: true,
  handler: async (ctx, { id, update: changes }) => {
    assertNoProtectedFields(changes, WEBHOOK_PROTECTED_FIELDS);
    const { db, user, access, writer } = ctx;
    const webhook = await ownWebhook(ctx, id);
    // Its url is checked again on reactivation: the operator's rule may have changed since.
    if (changes.state === "active") assertCallable(ctx, webhook.url);
    const time = (await writer!.stamp()).time;
    const set: Partial<WebhookRecord> = { modified: time, modifiedBy: access!.id };
    if (changes.state !== undefined) set.state = changes.state;
    // Reactivation starts the count of consecutive failures again.
    if (changes.state === "active") set.currentRetries = 0;
    await updateWebhookRow(db, user!.id, webhook.id, set).run();
    return { webhook: toApiWebhook({ ...webhook, ...set }) };
  },
});

const del = defineMethod({
  id: "webhooks.delete",
  result: webhookDeleteResult,
  scope: "account",
  params: webhookIdParams,
  permission: ANY_ACCESS,
  writes: true,
  handler: async (ctx, { id }) => {
    const webhook = await ownWebhook(ctx, id);
    const time = (await ctx.writer!.stamp()).time;
    await deleteWebhookRow(ctx.db, ctx.user!.id, webhook.id).run();
    return { webhookDeletion: { id: webhook.id, deleted: time } };
  },
});

/**
 * Sends `{messages: ["test"]}` now (not throttled, not counted as a retry):
 * the run is recorded; a failed call answers `unknown-referenced-resource`
 * naming the url, as the reference does (the receiver's answer is not shown).
 */
const test = defineMethod({
  id: "webhooks.test",
  result: webhookResultBody,
  scope: "account",
  params: webhookIdParams,
  permission: ANY_ACCESS,
  // Not a write: the call (up to its timeout) must not hold the account's write lock; its run is
  // then recorded under the lock, in order with the deliveries' (AccountDO.recordWebhookRun).
  writes: false,
  handler: async (ctx, { id }) => {
    const webhook = await ownWebhook(ctx, id);
    assertCallable(ctx, webhook.url);
    const status = await callWebhook(ctx.env, webhook.url, ["test"]);
    const recorded = await accountStub(ctx.env, ctx.user!.username).recordWebhookRun(ctx.user!.id, webhook.id, { status, timestamp: nowSeconds() }, false);
    if (status < 200 || status >= 300) throw errors.unknownReferencedResource("webhook", "url", webhook.url);
    if (!recorded) throw errors.unknownResource("webhook", id); // deleted during the call
    return { webhook: toApiWebhook(recorded) };
  },
});

export const webhooksMethods = [get, getOne, create, update, del, test];
