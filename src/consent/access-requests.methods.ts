/**
 * The register's access requests (`/reg/access`), the consent flow's state as
 * the reference serves it: an app creates a request, the person signs in on
 * the auth page (`authUrl`), which settles it; the app polls until then.
 * Statuses, HTTP codes and error ids follow the reference; the state lives in
 * KV (access-requests.store.ts).
 */
import { resolveUserAndAccess } from "../accesses/authenticate";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { ApiError, errors } from "../errors";
import { defineMethod, PUBLIC } from "../methods/method";
import { WithStatus } from "../methods/result-status";
import { apiEndpoint, serviceInfo } from "../service/service-info";
import { nowSeconds } from "../shared/time";
import { verifyRequestingApp } from "./access-requests.apps";
import {
  accessRequestCreateParams,
  accessRequestPollParams,
  accessRequestUpdateParams,
  invalidAccessRequestParams,
  accessRequestCreateResult,
  accessRequestPollResult,
  accessRequestSettledResult,
  type AccessRequestUpdateParams,
} from "./access-requests.schema";
import {
  markTokenDelivered,
  newAccessRequest,
  readAccessRequest,
  settleAccessRequest,
  writeAccessRequest,
  type AccessRequest,
  type AccessRequestOutcome,
} from "./access-requests.store";
import { authPageBase, authPageUrl, pollUrl } from "./access-requests.urls";

/** HTTP status of each state, as the reference answers polls and updates. */
const STATUS_CODE = { NEED_SIGNIN: 201, ACCEPTED: 200, REFUSED: 403, ERROR: 403, REDIRECTED: 301 } as const;

/** The reference stores none; these are what app-web-auth3 and the client show. */
const DEFAULT_REASONS = {
  REFUSED: { reasonId: "REFUSED_BY_USER", message: "The user refused to give access to the requested permissions" },
  ERROR: { reasonId: "ERROR", message: "An error occurred during the authorization" },
} as const;

/** What a pending request's poll shows: everything the auth page needs to ask the person. */
function pendingView(config: Config, request: AccessRequest) {
  return {
    status: request.status,
    key: request.key,
    requestingAppId: request.requestingAppId,
    requestedPermissions: request.requestedPermissions,
    lang: request.languageCode ?? "en",
    returnURL: request.returnURL,
    oauthState: request.oauthState,
    clientData: request.clientData,
    deviceName: request.deviceName,
    expireAfter: request.expireAfter,
    referer: request.referer,
    poll: request.poll,
    authUrl: request.authUrl,
    poll_rate_ms: request.pollRateMs,
    serviceInfo: serviceInfo(config),
    // Beyond Pryv: when the request expires, and whether the app is one the
    // operator registered whose registration this request satisfied (the
    // consent page marks it verified and shows this name).
    expires: request.expires,
    verifiedApp: request.verifiedApp,
  };
}

function settledView(outcome: AccessRequestOutcome) {
  switch (outcome.status) {
    case "ACCEPTED": {
      const { username, token, apiEndpoint } = outcome;
      return token === null ? { status: outcome.status, username, apiEndpoint } : { status: outcome.status, username, token, apiEndpoint };
    }
    case "REFUSED":
    case "ERROR":
      return { status: outcome.status, reasonId: outcome.reasonId, message: outcome.message };
    case "REDIRECTED":
      // The client follows `poll`; the auth page sends the browser to `redirectUrl`.
      return { status: outcome.status, poll: outcome.redirectUrl, redirectUrl: outcome.redirectUrl };
  }
}

const answer = (outcome: AccessRequestOutcome) => new WithStatus(STATUS_CODE[outcome.status], settledView(outcome));

const accessRequestsCreate = defineMethod({
  id: "accessRequests.create",
  result: accessRequestCreateResult,
  scope: "service",
  params: accessRequestCreateParams,
  permission: PUBLIC,
  writes: false,
  status: 201,
  invalidParams: invalidAccessRequestParams,
  handler: async ({ env, config, caller, token }, p) => {
    // A server-side registered app presents its secret where tokens go (`Authorization`).
    const verifiedApp = verifyRequestingApp(config, {
      requestingAppId: p.requestingAppId,
      returnURL: p.returnURL,
      origin: caller.origin,
      secret: token,
    });
    const page = authPageBase(config, p.authUrl);
    const languageCode = p.languageCode ?? null; // none: the auth page follows the browser
    const ask = {
      requestingAppId: p.requestingAppId,
      requestedPermissions: p.requestedPermissions as Record<string, unknown>[],
      languageCode,
      returnURL: p.returnURL,
      clientData: p.clientData,
      deviceName: p.deviceName,
      expireAfter: p.expireAfter,
      referer: p.referer,
      oauthState: p.oauthState,
    };
    const urls = {
      authUrl: (key: string) => authPageUrl(config, page, { key, ...ask }),
      poll: (key: string) => pollUrl(config, key),
    };
    const request = newAccessRequest(config, ask, urls, verifiedApp);
    await writeAccessRequest(env, request);
    return { status: request.status, key: request.key, authUrl: request.authUrl, poll: request.poll, poll_rate_ms: request.pollRateMs };
  },
});

const accessRequestsPoll = defineMethod({
  id: "accessRequests.poll",
  result: accessRequestPollResult,
  scope: "service",
  params: accessRequestPollParams,
  permission: PUBLIC,
  writes: false,
  invalidParams: invalidAccessRequestParams,
  handler: async ({ env, config }, { key }) => {
    const request = await readAccessRequest(env, key);
    if (!request) throw errors.unknownAccessKey();
    if (!request.outcome) return new WithStatus(STATUS_CODE.NEED_SIGNIN, pendingView(config, request));
    const outcome = request.outcome;
    if (outcome.status === "ACCEPTED" && outcome.token !== null) {
      // The token goes to the first poller only; later polls learn the status.
      await markTokenDelivered(env, request, { ...outcome, token: null, apiEndpoint: apiEndpoint(config, outcome.username) });
    }
    return answer(outcome);
  },
});

/** Token errors meaning "this is no live access of that account". */
const NOT_LIVE = new Set(["unknown-resource", "invalid-access-token", "forbidden"]);

/**
 * The accepted outcome, once the token is known to be a live app access of
 * that account made for this app (the person's consent creates one), so a key
 * holder cannot hand the app some other token. The endpoint is computed, never
 * taken from the body.
 */
async function acceptedOutcome(db: Db, config: Config, request: AccessRequest, username: string, token: string) {
  let resolved: Awaited<ReturnType<typeof resolveUserAndAccess>>;
  try {
    resolved = await resolveUserAndAccess(db, config, username, token, nowSeconds());
  } catch (err) {
    if (err instanceof ApiError && NOT_LIVE.has(err.id)) {
      throw errors.invalidParameters(`The token is not a live access of the user "${username}".`);
    }
    throw err;
  }
  const { user, access } = resolved;
  if (access.type !== "app" || access.name !== request.requestingAppId) {
    throw errors.invalidParameters(`The token is not an app access of "${request.requestingAppId}".`);
  }
  return { status: "ACCEPTED" as const, username: user.username, token, apiEndpoint: apiEndpoint(config, user.username, token) };
}

async function outcomeOf(db: Db, config: Config, request: AccessRequest, p: AccessRequestUpdateParams): Promise<AccessRequestOutcome> {
  switch (p.status) {
    case "ACCEPTED":
      return acceptedOutcome(db, config, request, p.username!, p.token!);
    case "REFUSED":
    case "ERROR":
      return {
        status: p.status,
        reasonId: p.reasonId ?? DEFAULT_REASONS[p.status].reasonId,
        message: p.message ?? DEFAULT_REASONS[p.status].message,
      };
    case "REDIRECTED":
      return { status: p.status, redirectUrl: p.redirectUrl! };
  }
}

const accessRequestsUpdate = defineMethod({
  id: "accessRequests.update",
  result: accessRequestSettledResult,
  scope: "service",
  params: accessRequestUpdateParams,
  permission: PUBLIC,
  writes: false,
  invalidParams: invalidAccessRequestParams,
  handler: async ({ env, config, db }, p) => {
    const request = await readAccessRequest(env, p.key);
    if (!request || request.outcome) throw errors.unknownAccessKey();
    const settled = await settleAccessRequest(env, p.key, await outcomeOf(db, config, request, p));
    if (!settled?.outcome) throw errors.unknownAccessKey();
    return answer(settled.outcome);
  },
});

export const accessRequestsMethods = [accessRequestsCreate, accessRequestsPoll, accessRequestsUpdate];
