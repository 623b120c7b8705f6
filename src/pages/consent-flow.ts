/**
 * The consent decisions, through the same methods the API serves, called for
 * the person the pages signed in: what the app already holds
 * (`accesses.checkApp`), the access to give (`accesses.create`, after
 * `accesses.delete` of a mismatching one, as the reference's auth app does:
 * an app has one access per device), and the end of the pages' own session.
 */
import type { Context } from "hono";
import type { ApiAccess } from "../accesses/accesses.schema";
import { getConfig } from "../config";
import type { AccessRequest } from "../consent/access-requests.store";
import { settleAccessRequest } from "../consent/access-requests.store";
import type { ErrorBody } from "../errors";
import type { AppEnv } from "../http/app-env";
import { callFor } from "./page-calls";
import type { CallOutcome } from "../methods/dispatch";
import { apiEndpoint } from "../service/service-info";
import type { PageSession } from "./page-session";
import { streamNames, type ShownPermission } from "./permission-words";

type Failed = { ok: false; error: ErrorBody };
type Signed = PageSession & { token: string };

/** What the consent page shows: the permissions (with names), and whether an access exists already. */
export interface ConsentCheck {
  ok: true;
  permissions: ShownPermission[];
  names: Map<string, string>;
  matching: ApiAccess | null;
  mismatching: ApiAccess | null;
}

const as = (session: Signed) => ({ username: session.username, token: session.token });

function failed(outcome: CallOutcome): Failed {
  return { ok: false, error: outcome.ok ? { id: "unexpected-error", message: "" } : outcome.error };
}

export async function checkConsent(c: Context<AppEnv>, request: AccessRequest, session: Signed): Promise<ConsentCheck | Failed> {
  const params = {
    requestingAppId: request.requestingAppId,
    requestedPermissions: request.requestedPermissions,
    ...(request.deviceName ? { deviceName: request.deviceName } : {}),
    ...(request.clientData ? { clientData: request.clientData } : {}),
  };
  const outcome = await callFor(c, "accesses.checkApp", params, as(session));
  if (!outcome.ok) return failed(outcome);
  const result = outcome.result as { matchingAccess?: ApiAccess; mismatchingAccess?: ApiAccess; checkedPermissions?: ShownPermission[] };
  if (result.matchingAccess) {
    // A matching access lists bare permissions: the names come from the person's streams.
    const streams = await callFor(c, "streams.get", {}, as(session));
    const tree = streams.ok ? ((streams.result as { streams?: [] }).streams ?? []) : [];
    return {
      ok: true,
      permissions: result.matchingAccess.permissions as ShownPermission[],
      names: streamNames(tree),
      matching: result.matchingAccess,
      mismatching: null,
    };
  }
  return {
    ok: true,
    permissions: result.checkedPermissions ?? [],
    names: new Map(),
    matching: null,
    mismatching: result.mismatchingAccess ?? null,
  };
}

/** Gives the access (or reuses the matching one) and settles the request ACCEPTED. */
export async function acceptRequest(
  c: Context<AppEnv>,
  request: AccessRequest,
  session: Signed,
): Promise<{ ok: true; settled: AccessRequest } | Failed | { ok: false; settledMeanwhile: true }> {
  const check = await checkConsent(c, request, session);
  if (!check.ok) return check;
  let token: string;
  let createdId: string | null = null;
  if (check.matching) {
    token = check.matching.token;
  } else {
    if (check.mismatching) {
      const removed = await callFor(c, "accesses.delete", { id: check.mismatching.id }, as(session));
      if (!removed.ok) return failed(removed);
    }
    const created = await callFor(
      c,
      "accesses.create",
      {
        type: "app",
        name: request.requestingAppId,
        permissions: check.permissions,
        ...(request.deviceName ? { deviceName: request.deviceName } : {}),
        ...(request.clientData ? { clientData: request.clientData } : {}),
        ...(request.expireAfter !== null ? { expireAfter: request.expireAfter } : {}),
      },
      as(session),
    );
    if (!created.ok) return failed(created);
    const access = (created.result as { access: ApiAccess }).access;
    token = access.token;
    createdId = access.id;
  }
  const config = getConfig(c.env);
  const settled = await settleAccessRequest(c.env, request.key, {
    status: "ACCEPTED",
    username: session.username,
    token,
    apiEndpoint: apiEndpoint(config, session.username, token),
  });
  if (!settled) {
    // Answered (or expired) meanwhile: the access given for nothing is taken back.
    if (createdId) await callFor(c, "accesses.delete", { id: createdId }, as(session));
    return { ok: false, settledMeanwhile: true };
  }
  return { ok: true, settled };
}

export const refuseRequest = (c: Context<AppEnv>, key: string) =>
  settleAccessRequest(c.env, key, {
    status: "REFUSED",
    reasonId: "REFUSED_BY_USER",
    message: "The user refused to give access to the requested permissions",
  });

/** Ends the personal session the pages opened (their decision is made). */
export async function endPersonalSession(c: Context<AppEnv>, session: PageSession | null): Promise<void> {
  if (session?.token) await callFor(c, "auth.logout", {}, { username: session.username, token: session.token });
}
