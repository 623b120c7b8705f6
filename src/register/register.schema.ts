/** Registration and directory params, with the reference's per-field error codes. */
import { z } from "zod";
import { invalidParams, type ApiError, type ParamIssue, type SubErrorId } from "../errors";

/** Lowercase letters, digits and dashes; 5–60 characters; no dash at either end. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9-]{3,58}[a-z0-9]$/;
/** Deliberately loose: one `@`, no spaces. Deliverability is the mail server's business. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

export const usernameSchema = z.string().regex(USERNAME_PATTERN);
export const emailSchema = z.string().max(300).regex(EMAIL_PATTERN);

/** Legacy clients send `appid`, `languageCode`, `invitationtoken`. */
function mapLegacyFields(input: unknown): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  const body = { ...(input as Record<string, unknown>) };
  const legacy: [string, string][] = [
    ["appid", "appId"],
    ["languageCode", "language"],
    ["invitationtoken", "invitationToken"],
  ];
  for (const [from, to] of legacy) {
    if (body[to] === undefined && body[from] !== undefined) body[to] = body[from];
    delete body[from];
  }
  return body;
}

export const registrationParams = z.preprocess(
  mapLegacyFields,
  z.looseObject({
    appId: z.string().min(6).max(99),
    username: usernameSchema,
    password: z.string().min(6).max(100),
    email: emailSchema,
    invitationToken: z.string().max(200).optional(),
    language: z.string().min(1).max(5).optional(),
    referer: z.string().min(1).max(99).nullable().optional(),
    hosting: z.string().max(200).optional(),
  }),
);
export type RegistrationParams = z.output<typeof registrationParams>;

const FIELD_ERRORS: Record<string, { required?: SubErrorId; invalid: SubErrorId; message: string }> = {
  username: {
    required: "username-required",
    invalid: "username-invalid",
    message: "Username must be 5 to 60 lowercase letters, digits or dashes, not starting or ending with a dash.",
  },
  email: { required: "email-required", invalid: "email-invalid", message: "Email must be an address (at most 300 characters)." },
  password: { required: "password-required", invalid: "password-invalid", message: "Password must have 6 to 100 characters." },
  appId: { invalid: "appid-invalid", message: "appId must be a string of 6 to 99 characters." },
  language: { invalid: "language-invalid", message: "Language must be a code of 1 to 5 characters (e.g. en, fr-CH)." },
  referer: { invalid: "referer-invalid", message: "Referer must be a string of 1 to 99 characters." },
  invitationToken: { invalid: "invitationToken-invalid", message: "Invitation token must be a string." },
};

/**
 * `invalid-parameters-format` whose `data` names each faulty field with the
 * reference's code (`username-invalid`, `email-required`…).
 */
export function registrationError(err: z.ZodError): ApiError {
  const data = err.issues.map((issue): ParamIssue => {
    const param = String(issue.path[0] ?? "");
    const known = FIELD_ERRORS[param];
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    if (!known) return { code: issue.code, message: issue.message, path: `#/${issue.path.join("/")}`, param };
    const code = missing ? (known.required ?? known.invalid) : known.invalid;
    const message = missing ? `Missing required field: ${param}` : known.message;
    return { code, message, path: `#/${param}`, param };
  });
  return invalidParams(data);
}

// Results of the registration and directory methods (`meta` is added by the HTTP layer).

/** `apiEndpoint` carries the new account's personal token. */
export const registrationResult = z.strictObject({ username: z.string(), apiEndpoint: z.string() });

/** `reason` when reserved: `taken` (an account has it) or `reserved` (a reserved word). */
export const usernameCheckResult = z.strictObject({ reserved: z.boolean(), reason: z.enum(["taken", "reserved"]).optional() });

/** A taken email is `item-already-exists` (409): success means it is free. */
export const emailCheckResult = z.strictObject({ reserved: z.literal(false) });

/** `uid` is the username too (the reference's two routes). */
export const usernameForEmailResult = z.strictObject({ username: z.string(), uid: z.string() });

/** The core hosting the account, and its host name (subdomain mode) or username. */
export const userServerResult = z.strictObject({ server: z.string(), alias: z.string() });

export const coresResult = z.strictObject({ core: z.strictObject({ url: z.string() }) });

const localized = z.record(z.string(), z.string());

/** HOSTINGS (or, by default, every core by region): operator data, so further fields pass through. */
export const hostingsResult = z
  .looseObject({
    regions: z.record(
      z.string(),
      z.looseObject({
        name: z.string(),
        localizedName: localized,
        zones: z.record(
          z.string(),
          z.looseObject({
            name: z.string(),
            localizedName: localized,
            hostings: z.record(
              z.string(),
              z.looseObject({
                url: z.string(),
                name: z.string(),
                description: z.string(),
                localizedDescription: localized.optional(),
                available: z.boolean(),
                /** Where `POST users` creates accounts on this hosting. */
                availableCore: z.string(),
              }),
            ),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "Hostings", description: "Where accounts can be created: regions, zones and hostings (cores)." });

/** An app the operator registered (APPS): further fields pass through. */
const appResult = z
  .looseObject({
    id: z.string(),
    name: z.string().optional(),
    returnURLs: z.array(z.string()).optional(),
    origins: z.array(z.string()).optional(),
  })
  .meta({ id: "App", description: "An app the operator registered (APPS)." });

export const appsGetResult = z.strictObject({ apps: z.array(appResult) });
export const appGetOneResult = z.strictObject({ app: appResult });
