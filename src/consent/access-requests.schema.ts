/**
 * Params of the `/reg/access` methods. Unknown fields are dropped, not refused:
 * apps pass their whole `authRequest` settings and the auth pages echo back
 * fields of the state (returnURL, apiEndpoint), as with the reference.
 */
import { z } from "zod";
import { permissionsParam, requestedPermissionResult } from "../accesses/accesses.schema";
import { fromZodError, errors, type ApiError } from "../errors";
import { serviceInfoResult } from "../service/service.schema";
import { LIMITS, withinBytes } from "../shared/limits";

/** URLs and OAuth states can be longer than names. */
const URL_MAX = 2048;

const shortText = z.string().min(1).max(LIMITS.shortText);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(URL_MAX);

/** `null` and absent are the same; lib-js sends `returnURL: false` when it uses a popup. */
const optional = <T extends z.ZodType>(schema: T) =>
  schema
    .nullable()
    .optional()
    .transform((v) => v ?? null);

export const accessRequestCreateParams = z.object({
  requestingAppId: shortText,
  requestedPermissions: permissionsParam.min(1, "must name at least one permission"),
  languageCode: optional(z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8}){0,3}$/, "must be a language code such as en or fr")),
  returnURL: optional(z.union([httpUrl, z.literal(false).transform(() => null)])),
  clientData: optional(withinBytes(z.record(z.string(), z.unknown()), LIMITS.jsonBytes)),
  authUrl: optional(httpUrl),
  deviceName: optional(shortText),
  expireAfter: optional(z.number().min(0).max(100 * 365 * 24 * 3600)),
  referer: optional(shortText),
  oauthState: optional(z.string().min(1).max(URL_MAX)),
});
export type AccessRequestCreateParams = z.output<typeof accessRequestCreateParams>;

/** Checked by the store (an ill-formed key is as unknown as an expired one). */
const key = z.string();

export const accessRequestPollParams = z.object({ key });

const SETTLED = ["ACCEPTED", "REFUSED", "ERROR", "REDIRECTED"] as const;

export const accessRequestUpdateParams = z
  .object({
    key,
    status: z.enum(SETTLED, { error: "status must be ACCEPTED, REFUSED, ERROR, or REDIRECTED" }),
    username: optional(shortText),
    token: optional(shortText),
    reasonId: optional(shortText),
    message: optional(z.string().min(1).max(1024)),
    redirectUrl: optional(httpUrl),
  })
  .superRefine((p, ctx) => {
    if (p.status === "ACCEPTED" && (!p.username || !p.token)) {
      ctx.addIssue({ code: "custom", message: "ACCEPTED requires username and token", path: [p.username ? "token" : "username"] });
    }
    if (p.status === "REDIRECTED" && !p.redirectUrl) {
      ctx.addIssue({ code: "custom", message: "REDIRECTED requires redirectUrl", path: ["redirectUrl"] });
    }
  });
export type AccessRequestUpdateParams = z.output<typeof accessRequestUpdateParams>;

/** The reference's `invalid-parameters` naming the first faulty field; every issue in `data`, as elsewhere. */
export function invalidAccessRequestParams(err: z.ZodError): ApiError {
  const issues = fromZodError(err).data as { param: string; message: string }[];
  const first = issues[0];
  const detail = first ? (first.param ? `${first.param}: ${first.message}` : first.message) : "invalid parameters";
  return errors.invalidParameters(`Missing or invalid parameter (${detail})`, issues);
}

// Results (what the handlers return; `meta` is added by the HTTP layer).

/** accessRequests.create (201): open `authUrl` for the person, poll `poll` every `poll_rate_ms`. */
export const accessRequestCreateResult = z.strictObject({
  status: z.literal("NEED_SIGNIN"),
  key: z.string(),
  authUrl: z.string(),
  poll: z.string(),
  poll_rate_ms: z.number(),
});

/** A pending request's poll (201): everything the auth page needs to ask the person. */
export const accessRequestPendingResult = z
  .strictObject({
    status: z.literal("NEED_SIGNIN"),
    key: z.string(),
    requestingAppId: z.string(),
    requestedPermissions: z.array(requestedPermissionResult),
    lang: z.string(),
    returnURL: z.string().nullable(),
    oauthState: z.string().nullable(),
    clientData: z.record(z.string(), z.unknown()).nullable(),
    deviceName: z.string().nullable(),
    expireAfter: z.number().nullable(),
    referer: z.string().nullable(),
    poll: z.string(),
    authUrl: z.string(),
    poll_rate_ms: z.number(),
    serviceInfo: serviceInfoResult,
    /** Beyond Pryv: when the request expires (seconds since the epoch). */
    expires: z.number(),
    /** Beyond Pryv: set when the app is one the operator registered (APPS), with its registered name. */
    verifiedApp: z.strictObject({ name: z.string() }).nullable(),
  })
  .meta({ id: "AccessRequestPending", description: "An access request waiting for the person (201)." });

/** ACCEPTED (200): `token` only to the first poll (and the auth page's update); `apiEndpoint` carries it then. */
export const accessRequestAcceptedResult = z
  .strictObject({ status: z.literal("ACCEPTED"), username: z.string(), token: z.string().optional(), apiEndpoint: z.string() })
  .meta({ id: "AccessRequestAccepted", description: "An accepted access request (200)." });

/** REFUSED or ERROR (403). */
export const accessRequestRefusedResult = z
  .strictObject({ status: z.enum(["REFUSED", "ERROR"]), reasonId: z.string(), message: z.string() })
  .meta({ id: "AccessRequestRefused", description: "A refused or failed access request (403)." });

/** REDIRECTED (301, no Location): the client follows `poll`, the auth page sends the browser to `redirectUrl`. */
export const accessRequestRedirectedResult = z
  .strictObject({ status: z.literal("REDIRECTED"), poll: z.string(), redirectUrl: z.string() })
  .meta({ id: "AccessRequestRedirected", description: "A redirected access request (301)." });

/** A settled request's state (accessRequests.update, and polls once settled). */
export const accessRequestSettledResult = z.discriminatedUnion("status", [
  accessRequestAcceptedResult,
  accessRequestRefusedResult,
  accessRequestRedirectedResult,
]);

/** accessRequests.poll: the pending view or the settled state. */
export const accessRequestPollResult = z.discriminatedUnion("status", [
  accessRequestPendingResult,
  accessRequestAcceptedResult,
  accessRequestRefusedResult,
  accessRequestRedirectedResult,
]);

