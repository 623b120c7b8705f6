/**
 * Params of the `/reg/access` methods. Unknown fields are dropped, not refused:
 * apps pass their whole `authRequest` settings and the auth pages echo back
 * fields of the state (returnURL, apiEndpoint), as with the reference.
 */
import { z } from "zod";
import { permissionsParam } from "../accesses/accesses.schema";
import { fromZodError, errors, type ApiError } from "../errors";
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
