/**
 * The methods the pages call for a person. On a node that hosts accounts they
 * run here, through the dispatcher (`callMethod`). On a register-only node the
 * accounts live on cores: the call goes to the account's core as the HTTP
 * request the API documents for it (the same route table, so the same method
 * runs there), from the pages' origin, with the browser named as the client
 * (src/http/forwarded-client.ts), so the core's login throttle is the browser's.
 */
import type { Context } from "hono";
import { getConfig } from "../config";
import { errors, toApiError, type ErrorBody } from "../errors";
import type { AppEnv } from "../http/app-env";
import { callMethod } from "../http/bind";
import { httpRoutes } from "../http/route-table";
import type { CallOutcome } from "../methods/dispatch";
import { sendToCoreFor } from "../register/forward";
import { pageSite } from "./security";

type As = { username: string | null; token: string | null };

export async function callFor(c: Context<AppEnv>, methodId: string, params: Record<string, unknown>, as: As): Promise<CallOutcome> {
  if (getConfig(c.env).role !== "register") return callMethod(c, methodId, params, as);
  try {
    return await callOnCore(c, methodId, params, as);
  } catch (err) {
    const error = toApiError(err);
    return { ok: false, status: error.status, error: error.toBody(), accessId: null, userId: null };
  }
}

async function callOnCore(c: Context<AppEnv>, methodId: string, params: Record<string, unknown>, as: As): Promise<CallOutcome> {
  const accountPath = as.username !== null;
  const route = httpRoutes().find(
    (r) => r.methodId === methodId && (accountPath ? r.fullPath.startsWith("/:username/") : !r.fullPath.includes(":")),
  );
  if (!route) throw accountPath ? new Error(`no HTTP route serves ${methodId}`) : errors.unknownResource("user", "");
  const rest: Record<string, unknown> = { ...params };
  const path = route.fullPath.replace(/:([A-Za-z]+)/g, (_whole, name: string) => {
    if (name === "username") return encodeURIComponent(String(as.username)); // the account, not a param (auth.login has both)
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(String(value));
  });
  const url = new URL(path, c.req.url);
  const withBody = route.verb === "post" || route.verb === "put";
  if (!withBody) for (const [k, v] of Object.entries(rest)) url.searchParams.set(k, typeof v === "string" ? v : JSON.stringify(v));
  const headers = new Headers({ "Content-Type": "application/json", Origin: pageSite(getConfig(c.env)).origin });
  if (as.token) headers.set("Authorization", as.token);
  const request = new Request(url, { method: route.verb.toUpperCase(), headers, body: withBody ? JSON.stringify(rest) : undefined });
  const response = await sendToCoreFor(c.env, as.username, request, c.req.raw);
  const body = (await response.json().catch(() => null)) as ({ error?: ErrorBody; meta?: unknown } & Record<string, unknown>) | null;
  if (!body) throw new Error(`the core answered ${methodId} with no JSON`);
  if (response.status >= 400 && body.error) {
    return { ok: false, status: response.status, error: body.error, accessId: null, userId: null };
  }
  const { meta: _meta, ...result } = body;
  return { ok: true, status: response.status, result, accessId: null, userId: null };
}
