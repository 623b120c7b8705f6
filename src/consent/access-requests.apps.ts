/**
 * Registered apps (APPS, APP_SECRETS) and access requests. Beyond Pryv, whose
 * FAQ admits "no API secret to restrict the auth request usage": a request
 * naming a registered app is *verified* only when the call satisfies that
 * app's registration — it comes from one of its origins or presents its
 * secret, and its returnURL (if any) is under one of its prefixes. The consent
 * page then shows the registered name, so a look-alike id used from elsewhere
 * gets no borrowed identity. With ACCESS_REQUESTS=registered, an unverified
 * request is refused outright.
 */
import type { Config, RegisteredApp } from "../config";
import { errors } from "../errors";
import { timingSafeEqualStrings } from "../shared/crypto";

export interface AppCall {
  requestingAppId: string;
  returnURL: string | null;
  /** The caller's `Origin` header, else its `Referer`, as sent. */
  origin: string | null;
  /** What the `Authorization` header carried, if anything. */
  secret: string | null;
}

type Verdict = { ok: true; app: RegisteredApp } | { ok: false; reason: string; message: string };

function originOf(value: string | null): string | null {
  if (!value) return null;
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/** `url` is `prefix` itself or continues it at a path, query or fragment boundary (`…/auth` never trusts `…/auth-evil`). */
function isUnder(url: string, prefix: string): boolean {
  let href: string;
  let base: string;
  try {
    href = new URL(url).href;
    base = new URL(prefix).href.replace(/\/+$/, "");
  } catch {
    return false;
  }
  return href === base || (href.startsWith(base) && "/?#".includes(href.charAt(base.length)));
}

function judge(config: Config, call: AppCall): Verdict {
  const app = config.registeredApps.find((a) => a.id === call.requestingAppId);
  if (!app) {
    return { ok: false, reason: "unregistered-app", message: `The app "${call.requestingAppId}" is not registered with this service.` };
  }
  if (call.secret !== null && !(app.secret !== null && timingSafeEqualStrings(call.secret, app.secret))) {
    return { ok: false, reason: "wrong-secret", message: `The secret presented for the app "${app.id}" is not its registered secret.` };
  }
  const origin = originOf(call.origin);
  if (call.secret === null && !(origin !== null && app.origins.includes(origin))) {
    const expected = app.secret !== null ? "from one of its registered origins, or with its secret" : "from one of its registered origins";
    return {
      ok: false,
      reason: "origin-not-allowed",
      message: `The app "${app.id}" may only ask for access ${expected}${origin ? `, not from ${origin}` : ""}.`,
    };
  }
  if (call.returnURL !== null && !app.returnURLs.some((prefix) => isUnder(call.returnURL!, prefix))) {
    return { ok: false, reason: "returnURL-not-allowed", message: `The returnURL is not one the app "${app.id}" registered.` };
  }
  return { ok: true, app };
}

/**
 * The `verifiedApp` of a new request (null when not verified); throws 403
 * `forbidden` with `data.reason` when the operator only admits registered apps.
 */
export function verifyRequestingApp(config: Config, call: AppCall): { name: string } | null {
  const verdict = judge(config, call);
  if (verdict.ok) return { name: verdict.app.name };
  if (config.accessRequests.mode === "registered") throw errors.forbiddenBecause(verdict.reason, verdict.message);
  return null;
}
