/**
 * HTTP binding of registry methods: a verb and a path name a method id and
 * say how its params are assembled; `runCall` does the rest.
 */
import { Hono, type Context } from "hono";
import { queueUsage, usageEntry, type UsageEntry } from "../accesses/usage";
import { getConfig, type Config } from "../config";
import { runCall, type CallOutcome } from "../methods/dispatch";
import type { AppEnv } from "./app-env";
import { readToken } from "./auth-token";
import { readJsonBody } from "./body";
import { callerInfo } from "./caller";
import { API_VERSION, jsonResponse, meta } from "./meta";
import { StreamedResult } from "../methods/streamed";
import { jsonBody } from "./stream-json";
import { streamTrace } from "../shared/trace";

export interface RouteInput {
  body: unknown;
  query: Record<string, string | string[]>;
  path: Record<string, string>;
}

type Verb = "get" | "post" | "put" | "delete";

/** Query string → object; a repeated key becomes an array. */
export function queryObject(url: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [rawKey, value] of new URL(url).searchParams) {
    if (rawKey === "auth") continue;
    const key = rawKey.endsWith("[]") ? rawKey.slice(0, -2) : rawKey; // `streams[]=a&streams[]=b`
    const previous = out[key];
    out[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return out;
}

/** Configuration if it parses; a broken one is reported by the call itself. */
export function configOrNull(c: Context<AppEnv>): Config | null {
  try {
    return getConfig(c.env);
  } catch {
    return null;
  }
}

/** The Pryv JSON response for a call's outcome (`extraHeaders` e.g. for a redirect). */
export async function outcomeResponse(
  c: Context<AppEnv>,
  outcome: CallOutcome,
  override: { status?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = outcome.accessId ? { "Pryv-Access-Id": outcome.accessId } : {};
  const config = configOrNull(c);
  if (outcome.ok && outcome.result instanceof StreamedResult) {
    return c.newResponse(await jsonBody(outcome.result, () => meta(config), streamTrace()), outcome.status as 200, {
      "Content-Type": "application/json; charset=utf-8",
      "API-Version": API_VERSION,
      ...headers,
    });
  }
  if (outcome.ok) {
    return jsonResponse(c, config, override.status ?? outcome.status, outcome.result as object, {
      ...headers,
      ...override.headers,
    });
  }
  return jsonResponse(c, config, outcome.status, { error: outcome.error }, { ...headers, ...outcome.headers });
}

/** Hands usage entries to the account's Durable Object after the answer (the trail of use). */
export function reportUse(c: Context<AppEnv>, username: string | null, entries: (UsageEntry | null)[]): void {
  const kept = entries.filter((e): e is UsageEntry => e !== null);
  if (username && kept.length) queueUsage(c.env, username, kept, (p) => c.executionCtx.waitUntil(p));
}

/**
 * Calls `methodId` on behalf of this request: account from the `:username` path segment and token from the
 * request, unless `as` names them (the web pages call methods for the person they signed in).
 */
export async function callMethod(
  c: Context<AppEnv>,
  methodId: string,
  params: unknown,
  as: { username?: string | null; token?: string | null } = {},
): Promise<CallOutcome> {
  const username = as.username !== undefined ? as.username : (c.req.param("username") ?? null);
  const caller = callerInfo(c.req.raw);
  const token = as.token !== undefined ? as.token : readToken(c.req.raw);
  const outcome = await runCall(
    c.env,
    { methodId, params, username, token, caller },
    null,
    { waitUntil: (promise) => c.executionCtx.waitUntil(promise) },
  );
  reportUse(c, username, [usageEntry(outcome, methodId, caller, "http")]);
  return outcome;
}

/** Calls `methodId` for this request and answers with its outcome. */
export async function serveMethod(c: Context<AppEnv>, methodId: string, params: unknown): Promise<Response> {
  return outcomeResponse(c, await callMethod(c, methodId, params));
}

/** Reads the request as a `RouteInput` (the JSON body only for POST/PUT). */
export async function routeInput(c: Context<AppEnv>): Promise<RouteInput> {
  const method = c.req.method;
  const body =
    method === "POST" || method === "PUT" ? await readJsonBody(c.req.raw, getConfig(c.env).maxBodyBytes) : undefined;
  return { body, query: queryObject(c.req.url), path: c.req.param() as Record<string, string> };
}

/** One HTTP binding of a registry method. */
export interface RouteSpec {
  verb: Verb;
  path: string;
  methodId: string;
  /** Assembles the params; default: the JSON body (POST/PUT) or the query (GET/DELETE). */
  build?: (input: RouteInput) => unknown;
}

/** A router serving `specs`, keeping them readable (conformance tests and API docs walk them). */
export interface RouteGroup {
  router: Hono<AppEnv>;
  specs: readonly RouteSpec[];
}

export function routeGroup(specs: RouteSpec[]): RouteGroup {
  const router = new Hono<AppEnv>();
  for (const spec of specs) bind(router, spec);
  return { router, specs };
}

export function bind(router: Hono<AppEnv>, { verb, path, methodId, build }: RouteSpec): void {
  router[verb](path, async (c) => {
    const input = await routeInput(c);
    const params = build ? build(input) : (input.body ?? input.query);
    return serveMethod(c, methodId, params);
  });
}
