/**
 * Worker entry. In subdomain mode (DOMAIN set) `{username}.{domain}/x` is
 * served as `/{username}/x` and `reg.{domain}/x` as `/reg/x`, so both modes
 * share one set of routes.
 */
import { createApp } from "./app";
import { getConfig } from "./config";
import type { Env } from "./env";
import { acceptForwardedClient } from "./http/forwarded-client";
import { countingD1, newTrace, serverTiming, traceEnabled, withTrace } from "./shared/trace";

export { AccountDO } from "./account-do/account-do";
export type { Env } from "./env";

const app = createApp();

function toPathForm(request: Request, env: Env): Request {
  let domain: string | null;
  try {
    domain = getConfig(env).domain;
  } catch {
    return request; // misconfiguration: the app answers 503
  }
  if (!domain) return request;
  const url = new URL(request.url);
  const host = url.hostname.toLowerCase();
  if (!host.endsWith(`.${domain}`)) return request;
  const sub = host.slice(0, -(domain.length + 1));
  if (sub.includes(".")) return request;
  url.pathname = sub === "reg" || sub === "access" ? `/reg${url.pathname}` : `/${sub}${url.pathname}`;
  return new Request(url, request);
}

function serve(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
  return app.fetch(toPathForm(acceptForwardedClient(request, env), env), env, ctx);
}

/** Bench mode: the env whose D1 counts round trips, built once per isolate (the config cache is keyed on it too). */
const countingEnvs = new WeakMap<Env, Env>();
function countingEnv(env: Env): Env {
  let counting = countingEnvs.get(env);
  if (!counting) {
    counting = { ...env, DB: countingD1(env.DB) };
    countingEnvs.set(env, counting);
  }
  return counting;
}

/**
 * Bench mode: the request runs with a trace, answered as `Server-Timing` (`total`: until the
 * headers; a streamed body's later pages are produced after them and are not in it).
 */
async function serveTraced(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const trace = newTrace();
  const started = performance.now();
  const response = await withTrace(trace, () => serve(request, countingEnv(env), ctx));
  if (response.status === 101 || response.webSocket) return response; // a socket's answer is not copied
  trace.phases.total = performance.now() - started;
  const headers: [string, string][] = [["Server-Timing", serverTiming(trace)]];
  if (trace.id !== undefined) headers.push(["Bench-Trace", String(trace.id)]); // a streamed answer: see streamTrace
  try {
    for (const [name, value] of headers) response.headers.set(name, value);
    return response;
  } catch {
    const timed = new Response(response.body, response); // immutable headers (an answer passed on)
    for (const [name, value] of headers) timed.headers.set(name, value);
    return timed;
  }
}

export default {
  fetch(request, env, ctx) {
    return traceEnabled(env) ? serveTraced(request, env, ctx) : serve(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
