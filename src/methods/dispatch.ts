/**
 * The one dispatcher: HTTP routes, batch calls and sockets all call `runCall`.
 * It parses params with the method's schema, resolves the account and the
 * calling access, checks permissions, and runs the handler — in the Worker for
 * reads, in the account's Durable Object (under its write lock) for writes.
 */
import { accountStub } from "../account-do/stub";
import type { AccountWriter } from "../account-do/account-writer";
import type { UserRecord } from "../account/account.store";
import type { AccessRecord } from "../accesses/accesses.store";
import { assertUsableAccess, resolveUser, resolveUserAndAccess } from "../accesses/authenticate";
import { sessionNeedsRenewal } from "../accesses/sessions";
import { getConfig } from "../config";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { fromZodError, toApiError, type ErrorBody } from "../errors";
import { assertMethodAllowed, isAdminKey } from "../permissions";
import { nowSeconds } from "../shared/time";
import type { CallerInfo, MethodDefinition, StoredFile } from "./method";
import { findMethod, getMethod } from "./registry";
import { WithStatus } from "./result-status";
import { logFailure, unexpectedError } from "../shared/log";
import { recordAdminCall } from "../register/admin-trail";

/** A method call as it crosses into the account's Durable Object: plain, cloneable data. */
export interface CallInput {
  methodId: string;
  params: unknown;
  /** The account addressed by the path, if any. */
  username: string | null;
  token: string | null;
  caller: CallerInfo;
  /** Files the HTTP layer already streamed to R2 for this call (never from params). */
  uploads?: StoredFile[];
}

/** `accessId` and `userId` are set once the caller is authenticated (the call then enters the trail of use). */
export type CallOutcome =
  | { ok: true; status: number; result: unknown; accessId: string | null; userId: number | null }
  | {
      ok: false;
      status: number;
      error: ErrorBody;
      headers?: Record<string, string>;
      accessId: string | null;
      userId: number | null;
    };

export interface RunOptions {
  /** Lets the Worker finish side work (session renewal) after answering. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * Shared by the calls of one batch (same account, same token): the account
   * and access are resolved once, and again after a call that may change them.
   */
  callerCache?: CallerCache;
}

export interface CallerCache {
  user?: UserRecord;
  access?: AccessRecord | null;
}

/** Methods after which the cached account or access may be stale. */
const CHANGES_CALLER = /^(account|accesses|auth|mfa)\./;

export function changesCaller(methodId: string): boolean {
  return CHANGES_CALLER.test(methodId);
}

export async function runCall(
  env: Env,
  input: CallInput,
  writer: AccountWriter | null,
  options: RunOptions = {},
): Promise<CallOutcome> {
  const outcome = await dispatch(env, input, writer, options);
  // Where the call entered (a write's second run, in the account's Durable Object, has a writer): recorded once.
  if (!writer) await recordAdminCall(env, findMethod(input.methodId), input, outcome);
  return outcome;
}

async function dispatch(
  env: Env,
  input: CallInput,
  writer: AccountWriter | null,
  options: RunOptions,
): Promise<CallOutcome> {
  let accessId: string | null = null;
  let userId: number | null = null;
  try {
    const method = getMethod(input.methodId);
    const config = getConfig(env);
    const db = createDb(env.DB);
    const now = nowSeconds();
    const cache = options.callerCache ?? {};
    const rule = method.permission;
    const wantsAccess =
      (rule.kind === "access" && (input.token !== null || !rule.optional)) ||
      (rule.kind === "personal-or-admin" && !isAdminKey(config, input.token, input.caller));
    if (method.scope === "account" && wantsAccess && (!cache.user || !cache.access)) {
      Object.assign(cache, await resolveUserAndAccess(db, config, input.username, input.token, now, env));
    }
    const user = method.scope === "account" ? (cache.user ??= await resolveUser(db, config, input.username, env)) : null;
    // A cached access is checked again: it may have expired by time since it was cached.
    const access = wantsAccess && cache.access ? assertUsableAccess(cache.access, input.token, now) : null;
    // This call may change them: the next call of the batch resolves them again.
    if (CHANGES_CALLER.test(method.id) && options.callerCache) {
      delete options.callerCache.user;
      delete options.callerCache.access;
    }
    accessId = access?.id ?? null;
    userId = access ? user!.id : null;
    assertMethodAllowed(method, access, { config, token: input.token, caller: input.caller });
    const params = parseParams(method, input.params);

    if (user && access && !writer && sessionNeedsRenewal(access, config.sessionMaxAgeSeconds, now)) {
      options.waitUntil?.(
        accountStub(env, user.username)
          .touchSession(user.id, access.id)
          .catch((err: unknown) => logFailure("session renewal", err)),
      );
    }
    if (method.writes && !writer) {
      const account = user?.username ?? method.accountOf?.(params);
      if (!account) throw new Error(`write method ${method.id} names no account`);
      return await accountStub(env, account).execute(input);
    }
    const context = { env, config, db, user, access, token: input.token, caller: input.caller, writer, uploads: input.uploads ?? [] };
    const result = await method.handler(context, params);
    if (result instanceof WithStatus) return { ok: true, status: result.status, result: result.result, accessId, userId };
    return { ok: true, status: method.status ?? 200, result, accessId, userId };
  } catch (err) {
    let apiError = toApiError(err);
    if (apiError.id === "unexpected-error") apiError = unexpectedError(writer ? "account-do" : "worker", err, input.methodId);
    return { ok: false, status: apiError.status, error: apiError.toBody(), headers: apiError.headers, accessId, userId };
  }
}

function parseParams(method: MethodDefinition, raw: unknown): unknown {
  // `reportInput` lets error mappers tell a missing field from a wrong one; inputs never reach responses.
  const parsed = method.params.safeParse(raw ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw method.invalidParams ? method.invalidParams(parsed.error) : fromZodError(parsed.error);
}
