/**
 * Access requests (the consent flow's state) in KV, one entry per request key,
 * each with a TTL. The sign-in/consent pages (src/pages/) and the `/reg/access`
 * methods (access-requests.methods.ts) both go through these functions.
 */
import type { Config } from "../config";
import type { Env } from "../env";
import { newToken } from "../shared/ids";

export type AccessRequestStatus = "NEED_SIGNIN" | "ACCEPTED" | "REFUSED" | "ERROR" | "REDIRECTED";

/** What the app asked for, as stored at creation (already validated). */
export interface AccessRequestAsk {
  requestingAppId: string;
  requestedPermissions: Record<string, unknown>[];
  /** As the app gave it; null when it named none. */
  languageCode: string | null;
  returnURL: string | null;
  clientData: Record<string, unknown> | null;
  deviceName: string | null;
  expireAfter: number | null;
  referer: string | null;
  oauthState: string | null;
}

/**
 * How a request ended (set once; a settled request is never asked again). An
 * ACCEPTED outcome loses its `token` (null) once a poller received it, and
 * `apiEndpoint` then no longer carries it either.
 */
export type AccessRequestOutcome =
  | { status: "ACCEPTED"; username: string; token: string | null; apiEndpoint: string }
  | { status: "REFUSED" | "ERROR"; reasonId: string; message: string }
  | { status: "REDIRECTED"; redirectUrl: string };

export interface AccessRequest extends AccessRequestAsk {
  key: string;
  status: AccessRequestStatus;
  /** The page the person opens (our own, or a trusted one the app named). */
  authUrl: string;
  poll: string;
  pollRateMs: number;
  /** Set when the app is one the operator registered and its call satisfied that registration. */
  verifiedApp: { name: string } | null;
  /** Seconds since the epoch. */
  created: number;
  expires: number;
  /** Present once settled. For ACCEPTED, `token` is dropped once a poller has received it. */
  outcome: AccessRequestOutcome | null;
  /** True once the ACCEPTED token was handed to a poller. */
  tokenDelivered: boolean;
}

const PREFIX = "access-request:";
/** KV's shortest TTL. */
const KV_MIN_TTL = 60;
/**
 * How long an accepted token waits for its poller (who polls every second; a
 * redirected app page needs a few more). An app that went away leaves no
 * token in KV for the rest of the request's hour.
 */
const ACCEPTED_PICKUP_SECONDS = 300;

/** Whole seconds: KV TTLs are integers. */
const epochSeconds = () => Math.floor(Date.now() / 1000);

/** An unguessable key: 32 base-36 characters, about 165 random bits. */
export const newAccessRequestKey = newToken;

export async function readAccessRequest(env: Env, key: string): Promise<AccessRequest | null> {
  if (!/^[0-9a-z]{32}$/.test(key)) return null;
  const entry = await env.KV.get<AccessRequest>(PREFIX + key, "json");
  if (!entry || entry.expires <= epochSeconds()) return null;
  return entry;
}

/** Writes the request, keeping its original expiry (KV's TTL is at least 60 s). */
export async function writeAccessRequest(env: Env, request: AccessRequest): Promise<void> {
  const ttl = Math.max(KV_MIN_TTL, request.expires - epochSeconds());
  await env.KV.put(PREFIX + request.key, JSON.stringify(request), { expirationTtl: ttl });
}

export function newAccessRequest(
  config: Config,
  ask: AccessRequestAsk,
  urls: { authUrl: (key: string) => string; poll: (key: string) => string },
  verifiedApp: { name: string } | null,
): AccessRequest {
  const key = newAccessRequestKey();
  const now = epochSeconds();
  return {
    ...ask,
    key,
    status: "NEED_SIGNIN",
    authUrl: urls.authUrl(key),
    poll: urls.poll(key),
    pollRateMs: config.accessRequests.pollRateMs,
    verifiedApp,
    created: now,
    expires: now + config.accessRequests.ttlSeconds,
    outcome: null,
    tokenDelivered: false,
  };
}

/**
 * Settles a pending request; null if it is unknown, expired or already settled.
 *
 * KV is eventually consistent and has no compare-and-set: two settlements
 * racing on one key (only its holders know it) may both succeed, the last
 * write winning. Acceptable here: both come from the request's own auth page.
 */
export async function settleAccessRequest(
  env: Env,
  key: string,
  outcome: AccessRequestOutcome,
): Promise<AccessRequest | null> {
  const request = await readAccessRequest(env, key);
  if (!request || request.status !== "NEED_SIGNIN") return null;
  const expires = outcome.status === "ACCEPTED" ? Math.min(request.expires, epochSeconds() + ACCEPTED_PICKUP_SECONDS) : request.expires;
  const settled: AccessRequest = { ...request, status: outcome.status, outcome, expires };
  await writeAccessRequest(env, settled);
  return settled;
}

/**
 * Hands an accepted request's token over once: the entry is rewritten without
 * it (`withoutToken` is the outcome to keep) and lives only KV's shortest TTL
 * more, answering its status to later polls.
 *
 * Caveat (KV is eventually consistent, reads are cached up to 60 s per
 * location): a poll racing the first one, or reaching a location that still
 * holds the previous value, may receive the token too — only within that
 * minute, and only for a holder of the key.
 */
export async function markTokenDelivered(
  env: Env,
  request: AccessRequest,
  withoutToken: AccessRequestOutcome & { status: "ACCEPTED" },
): Promise<void> {
  const expires = Math.min(request.expires, epochSeconds() + KV_MIN_TTL);
  await writeAccessRequest(env, { ...request, outcome: withoutToken, tokenDelivered: true, expires });
}
