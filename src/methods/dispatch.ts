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
import { assertUsableAccess, resolveCaller, resolveUser, resolveUserAndAccess } from "../accesses/authenticate";
import { sessionNeedsRenewal, touchSession } from "../accesses/sessions";
import { forgetCaller, knownCaller, revisionCheck, type CallerState } from "../accesses/caller-states";
import { isStale, validatedD1 } from "../db/validated-d1";
import { readDatabase } from "../db/replicas";
import type { StreamTree } from "../streams/stream-tree";
import { loadStreamTree, type StreamRow } from "../streams/streams.store";
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
import { addTrace, phase, type Trace } from "../shared/trace";

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

/**
 * `accessId` and `userId` are set once the caller is authenticated (the call then enters the trail of use).
 * `trace`: bench mode only, what the call cost inside the account's Durable Object (src/shared/trace.ts).
 */
export type CallOutcome = (
  | { ok: true; status: number; result: unknown; accessId: string | null; userId: number | null }
  | {
      ok: false;
      status: number;
      error: ErrorBody;
      headers?: Record<string, string>;
      accessId: string | null;
      userId: number | null;
    }
) & { trace?: Trace };

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

/**
 * A read in the Worker whose caller this isolate already knows runs on that
 * state, checked in the same D1 batch as the read's first query; found stale,
 * the read runs again from fresh state (reads change nothing, so running one
 * twice is harmless).
 */
async function dispatch(
  env: Env,
  input: CallInput,
  writer: AccountWriter | null,
  options: RunOptions,
): Promise<CallOutcome> {
  const method = findMethod(input.methodId);
  const known = !writer && !options.callerCache && method && runsOnKnownState(method) ? knownCaller(input.username, input.token) : null;
  // D1_READ_REPLICAS=on: a read of a known caller starts at its account's latest commit (src/db/replicas.ts); writes use env.DB.
  const readDb =
    method && !method.writes && !writer
      ? await readDatabase(env, method.scope === "account" ? input.username : null, known !== null).catch(() => env.DB) // the object unreachable: the primary
      : env.DB;
  if (known) {
    const validated = validatedD1(readDb, revisionCheck(known));
    try {
      const outcome = await attempt(env, input, writer, options, { db: validated.db, state: known }, readDb);
      if (!validated.settled()) await validated.checkNow();
      return outcome;
    } catch (err) {
      if (!isStale(err)) throw err;
      forgetCaller(input.username, input.token);
    }
  }
  return attempt(env, input, writer, options, null, readDb);
}

/** Reads of an account with a token: what the isolate's caller states serve. */
function runsOnKnownState(method: MethodDefinition): boolean {
  return method.scope === "account" && !method.writes && method.permission.kind === "access";
}

async function attempt(
  env: Env,
  input: CallInput,
  writer: AccountWriter | null,
  options: RunOptions,
  known: { db: D1Database; state: CallerState } | null,
  readDb: D1Database,
): Promise<CallOutcome> {
  let accessId: string | null = null;
  let userId: number | null = null;
  try {
    const method = getMethod(input.methodId);
    const config = getConfig(env);
    const db = createDb(known?.db ?? readDb);
    const now = nowSeconds();
    const rule = method.permission;
    const wantsAccess =
      (rule.kind === "access" && (input.token !== null || !rule.optional)) ||
      (rule.kind === "personal-or-admin" && !isAdminKey(config, input.token, input.caller));

    // Writes of an account are authenticated once, by its Durable Object (exact caller cache, under the
    // write lock): the Worker only makes sure the account is here, so no object is woken for a name that is not.
    if (method.writes && !writer && method.scope === "account") {
      // A token this isolate does not know yet is read now (and kept): a wrong one is refused here.
      if (!knownCaller(input.username, input.token)) {
        if (wantsAccess && input.token) await phase("auth", () => resolveCaller(env, config, input.username, input.token, db, now));
        else await resolveUser(db, config, input.username, env);
      }
      // (RPC types cannot express `unknown` results: the outcome is plain cloneable data.)
      const outcome = (await phase("do", () => accountStub(env, input.username!).execute(input))) as unknown as CallOutcome;
      addTrace(outcome.trace);
      delete outcome.trace;
      if (wantsAccess && outcome.accessId === null) forgetCaller(input.username, input.token); // refused there: kept state was stale
      return outcome;
    }

    let state: CallerState | null = known?.state ?? null;
    const cache = options.callerCache ?? (state ? { user: state.user, access: state.access } : {});
    if (method.scope === "account" && wantsAccess && (!cache.user || !cache.access)) {
      const found = writer
        ? await phase("auth", () => resolveUserAndAccess(db, config, input.username, input.token, now, env))
        : (state = await phase("auth", () => resolveCaller(env, config, input.username, input.token, db, now)));
      Object.assign(cache, { user: found.user, access: found.access });
    }
    const user = method.scope === "account" ? (cache.user ??= await phase("auth", () => resolveUser(db, config, input.username, env))) : null;
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

    if (user && access && sessionNeedsRenewal(access, config.sessionMaxAgeSeconds, now)) {
      // In the account's Durable Object (a write) the lock is held already: the statement runs directly.
      const renewal = writer ? touchSession(env, user.id, access.id) : accountStub(env, user.username).touchSession(user.id, access.id);
      const pending = renewal.catch((err: unknown) => logFailure("session renewal", err));
      if (options.waitUntil) options.waitUntil(pending);
      else await pending;
    }
    if (method.writes && !writer) {
      const account = method.accountOf?.(params);
      if (!account) throw new Error(`write method ${method.id} names no account`);
      return await accountStub(env, account).execute(input);
    }

    let tree: Promise<StreamTree<StreamRow>> | undefined;
    const streamTree = () =>
      writer ? writer.streamTree(user!.id) : state ? (state.tree ??= loadStreamTree(db, user!.id)) : (tree ??= loadStreamTree(db, user!.id));
    const context = { env, config, db, user, access, token: input.token, caller: input.caller, writer, uploads: input.uploads ?? [], streamTree };
    const result = await phase("handler", () => method.handler(context, params));
    if (result instanceof WithStatus) return { ok: true, status: result.status, result: result.result, accessId, userId };
    return { ok: true, status: method.status ?? 200, result, accessId, userId };
  } catch (err) {
    if (isStale(err)) throw err;
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
