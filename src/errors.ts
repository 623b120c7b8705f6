/**
 * The only place Pryv error ids live: the id → HTTP status table, the ApiError
 * class, small factories and `toApiError`, which turns anything thrown into the
 * Pryv error shape. Ids and statuses follow the reference (see README "Errors").
 */
import { ZodError } from "zod";

const STATUS = {
  "invalid-request-structure": 400,
  "invalid-parameters-format": 400,
  // The register's access requests (`/reg/access`) answer with these ids, as the reference.
  "invalid-parameters": 400,
  "unknown-access-key": 400,
  "invalid-operation": 400,
  "invalid-item-id": 400,
  "invalid-event-type": 400,
  "unknown-referenced-resource": 400,
  "invitationToken-invalid": 400,
  "missing-header": 400,
  "invalid-access-token": 401,
  "invalid-credentials": 401,
  forbidden: 403,
  "unknown-resource": 404,
  "unknown-user": 404,
  "unknown-email": 404,
  "invalid-method": 404,
  "item-already-exists": 409,
  "stale-resource": 409,
  "removed-method": 410,
  "too-many-results": 413,
  "unsupported-content-type": 415,
  "wrong-core": 421,
  "corrupted-data": 422,
  "too-many-requests": 429,
  "unexpected-error": 500,
  "api-unavailable": 503,
} as const;

export type ErrorId = keyof typeof STATUS;

/** Every error id with its usual HTTP status (the OpenAPI document lists them per operation). */
export const errorStatuses: Readonly<Record<ErrorId, number>> = STATUS;

/** Codes naming a faulty registration field inside `invalid-parameters-format` data (as the reference). */
export type SubErrorId =
  | "username-required"
  | "username-invalid"
  | "email-required"
  | "email-invalid"
  | "password-required"
  | "password-invalid"
  | "language-invalid"
  | "appid-invalid"
  | "referer-invalid"
  | "invitationToken-invalid"
  | "item-already-exists";

export interface ErrorBody {
  id: string;
  message: string;
  data?: unknown;
}

export class ApiError extends Error {
  readonly id: ErrorId;
  readonly status: number;
  readonly data?: unknown;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(
    id: ErrorId,
    message: string,
    options: { data?: unknown; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.id = id;
    this.status = options.status ?? STATUS[id];
    this.data = options.data;
    this.headers = options.headers;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { id: this.id, message: this.message };
    if (this.data !== undefined) body.data = this.data;
    return body;
  }
}

/** Factories for the errors raised across the code base. */
export const errors = {
  invalidRequestStructure: (message: string, data?: unknown) =>
    new ApiError("invalid-request-structure", message, { data }),
  invalidParametersFormat: (message: string, data?: unknown) =>
    new ApiError("invalid-parameters-format", message, { data }),
  invalidOperation: (message: string, data?: unknown) => new ApiError("invalid-operation", message, { data }),
  invalidItemId: (message: string) => new ApiError("invalid-item-id", message),
  unknownResource: (resourceType?: string, id?: string) =>
    new ApiError(
      "unknown-resource",
      `Unknown ${resourceType ?? "resource"}${id !== undefined ? ` "${id}"` : ""}`,
      resourceType && id !== undefined ? { data: { [resourceType]: id } } : {},
    ),
  unknownReferencedResource: (resourceType: string, param: string, ids: string | string[]) =>
    new ApiError(
      "unknown-referenced-resource",
      `Unknown referenced ${resourceType} "${Array.isArray(ids) ? ids.join('", "') : ids}"`,
      { data: { [param]: ids } },
    ),
  itemAlreadyExists: (resourceType: string, conflicts: Record<string, unknown>) =>
    new ApiError(
      "item-already-exists",
      // Absent values (an access without deviceName) are part of the key but say nothing in prose.
      `${/^[aeiou]/i.test(resourceType) ? "An" : "A"} ${resourceType} with ${Object.entries(conflicts)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => `${k} "${String(v)}"`)
        .join(" and ")} already exists`,
      { data: conflicts },
    ),
  invalidAccessToken: (message: string, status: 401 | 403 = 401) =>
    new ApiError("invalid-access-token", message, { status }),
  invalidCredentials: (message = "The given username/password pair is invalid.") =>
    new ApiError("invalid-credentials", message),
  forbidden: (message = "The given access token does not grant permission for this operation.") =>
    new ApiError("forbidden", message),
  invalidMethod: (methodId: string) => new ApiError("invalid-method", `Invalid method id "${methodId}"`),
  unsupportedContentType: (contentType: string) =>
    new ApiError(
      "unsupported-content-type",
      `Content type "${contentType}" is not supported here: send "application/json".`,
    ),
  fileTooLarge: (limit: number, what: "file" | "request") =>
    new ApiError(
      "invalid-request-structure",
      what === "file" ? `A file exceeds the limit of ${limit} bytes.` : "The upload exceeds the request's size limit.",
      { status: 413, data: { limit, what } },
    ),
  bodyTooLarge: (limit: number) =>
    new ApiError("invalid-request-structure", `The request body exceeds the limit of ${limit} bytes.`, {
      status: 413,
      data: { limit },
    }),
  tooManyRequests: (retryAfterSeconds: number, message: string) =>
    new ApiError("too-many-requests", message, {
      data: { retryAfter: retryAfterSeconds },
      headers: { "Retry-After": String(retryAfterSeconds) },
    }),
  wrongCore: (coreUrl: string) =>
    new ApiError("wrong-core", "This account is hosted on another core.", { data: { coreUrl } }),
  apiUnavailable: (message: string) => new ApiError("api-unavailable", message),
  removedMethod: () => new ApiError("removed-method", "This method has been removed from the API."),
  invalidParameters: (message: string, data?: unknown) => new ApiError("invalid-parameters", message, { data }),
  unknownAccessKey: () => new ApiError("unknown-access-key", "Unknown or expired access key"),
  /** `forbidden` saying why (`data.reason`), for refusals a client can act on. */
  forbiddenBecause: (reason: string, message: string) => new ApiError("forbidden", message, { data: { reason } }),
};

/** One entry of an `invalid-parameters-format` error's `data`, as the reference lists them. */
export interface ParamIssue {
  code: string;
  message: string;
  /** JSON pointer-ish path, e.g. `#/update/name`. */
  path: string;
  param: string;
}

/** `invalid-parameters-format` listing every faulty parameter; the message names the first. */
export function invalidParams(issues: ParamIssue[]): ApiError {
  const first = issues[0];
  const detail = first ? ` (${first.param ? `${first.param}: ` : ""}${first.message})` : "";
  return new ApiError("invalid-parameters-format", `The parameters' format is invalid${detail}.`, { data: issues });
}

/** Zod issues → `invalid-parameters-format`. */
export function fromZodError(err: ZodError): ApiError {
  return invalidParams(
    err.issues.map((issue) => ({
      code: issue.code,
      message: issue.message,
      path: `#/${issue.path.map(String).join("/")}`,
      param: String(issue.path[0] ?? ""),
    })),
  );
}

/**
 * Anything thrown → ApiError. Unknown throws stay 500 `unexpected-error` with a
 * generic message: the original is logged by the caller, never sent.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  return new ApiError("unexpected-error", "An unexpected error occurred; it has been logged.");
}
