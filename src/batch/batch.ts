/**
 * Batch calls (`POST /{username}/` with `[{method, params}, …]`), what the
 * pryv client's `connection.api()` sends. Calls run in order with the same
 * access through the same dispatcher as HTTP; each answers with its result
 * or `{error}`. Consecutive writes go to the account's Durable Object in one
 * round trip.
 */
import type { Context } from "hono";
import { z } from "zod";
import { accountStub } from "../account-do/stub";
import { knownCaller } from "../accesses/caller-states";
import { resolveCaller } from "../accesses/authenticate";
import { getConfig } from "../config";
import { errors, fromZodError, toApiError, type ErrorBody } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readToken } from "../http/auth-token";
import { readJsonBody } from "../http/body";
import { callerInfo } from "../http/caller";
import { jsonResponse } from "../http/meta";
import { reportUse } from "../http/bind";
import { usageEntry, type UsageEntry } from "../accesses/usage";
import { runCall, type CallInput, type CallOutcome } from "../methods/dispatch";
import { findMethod } from "../methods/registry";
import { StreamedResult } from "../methods/streamed";
import { addTrace, phase } from "../shared/trace";
import { runsOf } from "./runs";

/** The pryv client sends chunks of 1000 calls. */
export const MAX_BATCH_CALLS = 1000;
/** Items of one array in one result (events.get drained inside a batch). */
export const MAX_BATCH_RESULT_ITEMS = 100_000;

const batchBody = z
  .array(z.looseObject({ method: z.string().min(1), params: z.unknown().optional() }))
  .max(MAX_BATCH_CALLS, `A batch holds at most ${MAX_BATCH_CALLS} calls.`);

type BatchResult = Record<string, unknown> | { error: ErrorBody };

async function toResult(outcome: CallOutcome): Promise<BatchResult> {
  if (!outcome.ok) return { error: outcome.error };
  if (!(outcome.result instanceof StreamedResult)) return outcome.result as Record<string, unknown>;
  try {
    return await outcome.result.drain(MAX_BATCH_RESULT_ITEMS);
  } catch (err) {
    return { error: toApiError(err).toBody() };
  }
}

export async function handleBatch(c: Context<AppEnv>): Promise<Response> {
  const config = getConfig(c.env);
  const parsed = batchBody.safeParse(await readJsonBody(c.req.raw, config.maxBodyBytes));
  if (!parsed.success) throw fromZodError(parsed.error);
  const calls = parsed.data;

  const username = c.req.param("username") ?? "";
  const token = readToken(c.req.raw);
  const caller = callerInfo(c.req.raw);
  // The batch as a whole needs a known account and a valid token: one this isolate already knows
  // passes (each call is still checked: reads against the account's revision, writes by its Durable Object).
  const known = knownCaller(username, token);
  const { user, access } = known ?? (await phase("auth", () => resolveCaller(c.env, config, username, token)));
  /** A kept caller the first call could not authenticate was stale: the batch answers as a whole, as it would have. */
  let gateToConfirm = known !== null;
  const confirmGate = async (first: CallOutcome) => {
    if (!gateToConfirm) return;
    gateToConfirm = false;
    if (first.accessId === null) await resolveCaller(c.env, config, username, token); // throws the batch's own error
  };
  const input = (call: (typeof calls)[number]): CallInput => ({
    methodId: call.method,
    params: call.params ?? {},
    username,
    token,
    caller,
  });

  const results: BatchResult[] = [];
  const usage: (UsageEntry | null)[] = [];
  for (const { writes, calls: these } of runsOf(calls, (call) => call.method)) {
    if (writes) {
      const run = these.map(input);
      // (RPC types cannot express `unknown` results: the outcomes are plain cloneable data.)
      const outcomes = (await phase("do", () => accountStub(c.env, user.username).executeAll(run))) as unknown as CallOutcome[];
      for (const outcome of outcomes) {
        addTrace(outcome.trace);
        delete outcome.trace;
      }
      if (outcomes[0]) await confirmGate(outcomes[0]);
      for (const [k, outcome] of outcomes.entries()) {
        results.push(await toResult(outcome));
        usage.push(usageEntry(outcome, run[k]!.methodId, caller, "batch"));
      }
      continue;
    }
    const call = these[0]!;
    const method = findMethod(call.method);
    if (!method || method.scope !== "account" || method.httpOnly) {
      const error = errors.invalidMethod(call.method);
      results.push({ error: error.toBody() });
      usage.push(usageEntry({ ok: false, status: error.status, error, accessId: access.id, userId: user.id }, call.method, caller, "batch"));
      continue;
    }
    const outcome = await runCall(c.env, input(call), null, { waitUntil: (p) => c.executionCtx.waitUntil(p) });
    await confirmGate(outcome);
    results.push(await toResult(outcome));
    usage.push(usageEntry(outcome, call.method, caller, "batch"));
  }
  reportUse(c, user.username, usage);
  return jsonResponse(c, config, 200, { results }, { "Pryv-Access-Id": access.id });
}
