/**
 * The register in front of the cores (ROLE=register, DNS-less): service info
 * names `{register}/{username}/` as every account's API, so the register passes
 * each `/{username}/…` request on to the core hosting that account (bodies
 * streamed, answers passed back untouched), and a registration to the core of
 * its `hosting`. A core is reached over its service binding `CORE_<ID>`
 * (`core-eu` → `CORE_CORE_EU`) when there is one, else at its CORES URL.
 */
import type { Context } from "hono";
import { getConfig, type Config } from "../config";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { errors } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJsonBody } from "../http/body";
import { findActiveEntry } from "./directory";
import { clientHeadersOf } from "../http/forwarded-client";

function coreBinding(env: Env, core: string): Fetcher | undefined {
  const binding = (env as unknown as Record<string, unknown>)[`CORE_${core.toUpperCase().replace(/-/g, "_")}`];
  return binding && typeof (binding as Fetcher).fetch === "function" ? (binding as Fetcher) : undefined;
}

/** Sends `request` to `core` at `pathAndQuery`, and its answer back (headers made mutable for the app's middleware). */
/** `client`: the request whose sender the core is told of (the browser's, for the pages' own calls). */
async function sendToCore(
  env: Env,
  config: Config,
  core: string,
  pathAndQuery: string,
  request: Request,
  client: Request = request,
): Promise<Response> {
  const base = config.cores[core];
  if (!base) throw errors.apiUnavailable(`Core "${core}" is not configured on this register (CORES).`);
  const outgoing = new Request(`${base}${pathAndQuery}`, request);
  const key = config.register.key;
  if (!key) throw errors.apiUnavailable("The register cannot vouch for its clients without REGISTER_KEY.");
  for (const [name, value] of Object.entries(clientHeadersOf(client, key))) outgoing.headers.set(name, value);
  let answer: Response;
  try {
    const binding = coreBinding(env, core);
    answer = await (binding ? binding.fetch(outgoing) : fetch(outgoing));
  } catch {
    throw errors.apiUnavailable(`Core "${core}" cannot be reached.`);
  }
  return new Response(answer.body, answer);
}

/** `/{username}/…` on the register: to the account's core; an unknown account is 404 here already. */
export async function forwardToAccountCore(c: Context<AppEnv>, username: string): Promise<Response> {
  const config = getConfig(c.env);
  const entry = await findActiveEntry(createDb(c.env.DB), username);
  if (!entry) throw errors.unknownResource("user", username);
  const url = new URL(c.req.url);
  return sendToCore(c.env, config, entry.core, `${url.pathname}${url.search}`, c.req.raw);
}

/**
 * A registration sent to the register (what the official client's `createUser` does):
 * to `POST {core}/users` of the hosting it names (hosting keys are core ids in the
 * default hostings), or of the first core when it names none.
 */
export async function forwardRegistration(c: Context<AppEnv>): Promise<Response> {
  const config = getConfig(c.env);
  // Refused here already (the core's reservation would be refused by this register anyway).
  if (config.registration === "closed") throw errors.invalidOperation("Registration is closed on this service.");
  const body = await readJsonBody(c.req.raw, config.maxBodyBytes);
  const hosting = body && typeof body === "object" ? (body as { hosting?: unknown }).hosting : undefined;
  const core = typeof hosting === "string" && Object.hasOwn(config.cores, hosting) ? hosting : Object.keys(config.cores)[0];
  if (hosting !== undefined && core !== hosting) {
    throw errors.invalidParametersFormat(`Unknown hosting "${String(hosting)}": see GET /reg/hostings.`, [
      { code: "hosting-invalid", message: "Unknown hosting", path: "#/hosting", param: "hosting" },
    ]);
  }
  if (!core) throw errors.apiUnavailable("No core is configured on this register (CORES).");
  const headers = new Headers(c.req.raw.headers);
  headers.delete("Content-Length"); // the body is re-serialised
  const request = new Request(c.req.url, { method: "POST", headers, body: JSON.stringify(body) });
  return sendToCore(c.env, config, core, "/users", request);
}

/**
 * A call the register's own pages make for a person (pages/page-calls.ts), to
 * the core hosting that account, or for a new account to the first core.
 */
export async function sendToCoreFor(env: Env, username: string | null, request: Request, client: Request): Promise<Response> {
  const config = getConfig(env);
  const core = username ? (await findActiveEntry(createDb(env.DB), username))?.core : Object.keys(config.cores)[0];
  if (!core) throw username ? errors.unknownResource("user", username) : errors.apiUnavailable("No core is configured on this register (CORES).");
  const url = new URL(request.url);
  return sendToCore(env, config, core, `${url.pathname}${url.search}`, request, client);
}
