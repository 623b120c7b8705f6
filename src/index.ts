/**
 * Worker entry. In subdomain mode (DOMAIN set) `{username}.{domain}/x` is
 * served as `/{username}/x` and `reg.{domain}/x` as `/reg/x`, so both modes
 * share one set of routes.
 */
import { createApp } from "./app";
import { getConfig } from "./config";
import type { Env } from "./env";
import { acceptForwardedClient } from "./http/forwarded-client";

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

export default {
  fetch(request, env, ctx) {
    return app.fetch(toPathForm(acceptForwardedClient(request, env), env), env, ctx);
  },
} satisfies ExportedHandler<Env>;
