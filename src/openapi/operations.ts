/**
 * Every API route the app serves, as operations to document: the plain method
 * bindings (`httpRoutes()`) and the routes served outside that table (service
 * info, batch, uploads and downloads, sockets, the register's extras). The
 * conformance test (test/openapi/routes.test.ts) holds this list to the app's
 * own router both ways; `NOT_DOCUMENTED` names what is served but is no API.
 */
import type { RouteSpec } from "../http/bind";
import { httpRoutes } from "../http/route-table";
import type { ErrorEntry } from "./operation-errors";
import type { JsonSchema } from "./json-schema";

export type Verb = "get" | "post" | "put" | "delete";

/** One documented answer on success. */
export interface Success {
  status: number;
  description: string;
  /** `result`: the method's result schema with `meta`. */
  media: "json" | "text" | "html" | "binary" | "none";
  schema?: "result" | JsonSchema;
  headers?: Record<string, string>;
}

export interface ApiOperation {
  verb: Verb;
  /** DNS-less path, Hono syntax (`/:username/events/:id`). */
  path: string;
  /** The registry method whose params, result and permission apply. */
  methodId: string | null;
  build?: RouteSpec["build"];
  /** The same operation also served at these paths (trailing-slash twins). */
  alsoAt?: string[];
  summary?: string;
  description?: string;
  tag?: string;
  /** Replaces what is derived from the method (success statuses, media). */
  success?: Success[];
  /** Answers beside the derived ones (another media type at a status). */
  extraSuccess?: Success[];
  /** Params sent otherwise than the binding derives (multipart, fixed). */
  input?: "none" | "multipart";
  /** Query parameters beyond the method's (e.g. `toHTML`). */
  extraQuery?: Record<string, JsonSchema & { description?: string }>;
  extraErrors?: readonly ErrorEntry[];
  /** `x-…` extensions (sockets, streaming). */
  extensions?: Record<string, unknown>;
}

/** Served by the app, deliberately not in the document (no API: pages, local tools, internal calls). */
export const NOT_DOCUMENTED: readonly { path: string; reason: string }[] = [
  { path: "/favicon.ico", reason: "browser icon" },
  { path: "/docs", reason: "this reference's own page" },
  { path: "/reg/docs", reason: "this reference's own page" },
  { path: "/docs/*", reason: "this reference's page assets" },
  { path: "/reg/docs/*", reason: "this reference's page assets" },
  { path: "/reg/auth", reason: "sign-in and consent web pages (HTML forms, not API)" },
  { path: "/reg/auth/*", reason: "sign-in and consent web pages (HTML forms, not API)" },
  { path: "/reg/assets/*", reason: "service assets (styles, sign-in button) named by service info" },
  { path: "/reg/dev/*", reason: "local mail outbox (ENVIRONMENT=local only)" },
  { path: "/reg/system/directory/*", reason: "internal: cores' calls to the register's directory (REGISTER_KEY)" },
  { path: "/bench/r2/*", reason: "benchmark probe of raw R2 (bench/)" },
  { path: "/bench/d1", reason: "benchmark probe of one bare D1 round trip (bench/)" },
  { path: "/bench/trace/*", reason: "benchmark read-back of a streamed answer's whole trace (bench/)" },
];

/** True for a path (concrete, or a route pattern) that `NOT_DOCUMENTED` names. */
export function isNotDocumented(path: string): boolean {
  return NOT_DOCUMENTED.some(({ path: listed }) =>
    listed.endsWith("/*") ? path === listed.slice(0, -2) || path.startsWith(listed.slice(0, -1)) : path === listed,
  );
}


/** Routes served outside the method tables. */
function extraOperations(): ApiOperation[] {
  const serviceInfo: ApiOperation = { verb: "get", path: "/reg/service/info", methodId: "service.info" };
  return [
    serviceInfo,
    { ...serviceInfo, path: "/service/info" },
    {
      ...serviceInfo,
      path: "/:username/service/info",
      description: "The service info, through an account's path: `unknown-resource` 404 when no such account exists (clients use it to test one).",
      extraErrors: ["unknown-resource"],
    },
    {
      verb: "get",
      path: "/",
      methodId: "service.info",
      summary: "Service info at the root",
      success: [{ status: 200, description: "`{service: <service info>}`", media: "json", schema: { type: "object", properties: { service: { $ref: "#/components/schemas/service.info.result" } }, required: ["service"], additionalProperties: false } }],
    },
    {
      verb: "get",
      path: "/openapi.json",
      methodId: null,
      tag: "reference",
      summary: "This OpenAPI document",
      success: [{ status: 200, description: "The OpenAPI 3.1 document of this service.", media: "json", schema: { type: "object" } }],
    },
    {
      verb: "get",
      path: "/reg/openapi.json",
      methodId: null,
      tag: "reference",
      summary: "This OpenAPI document (under the register's path)",
      success: [{ status: 200, description: "The OpenAPI 3.1 document of this service.", media: "json", schema: { type: "object" } }],
    },
    {
      verb: "post",
      path: "/:username/",
      alsoAt: ["/:username"],
      methodId: null,
      tag: "batch",
      summary: "Batch call",
      description:
        "Several method calls in one request (what the pryv client's `connection.api()` sends): an array of up to 1000 `{method, params}`, " +
        "run in order with the request's token through the same dispatcher as HTTP. Each call answers in `results` at its index with its " +
        "result (as the method's own operation documents it, without `meta`) or `{error}`; the batch itself answers 200. " +
        "File transfers (`events.addAttachment`, `events.getAttachment`) are HTTP only.",
      extensions: { "x-pryv-batch": { maxCalls: 1000 } },
      extraErrors: ["unknown-resource", "wrong-core", "invalid-access-token", ["invalid-access-token", 403], "forbidden", "api-unavailable"],
    },
    {
      verb: "post",
      path: "/:username/events/:id",
      methodId: "events.addAttachment",
      input: "multipart",
    },
    ...["/:username/events/:id/:fileId", "/:username/events/:id/:fileId/:fileName"].map(
      (path): ApiOperation => ({
        verb: "get",
        path,
        methodId: "events.getAttachment",
        description:
          "The attached file's bytes, with `ETag`, `Digest` and HTTP ranges. A token (any way) or the attachment's `readToken` in the query.",
        extraQuery: { readToken: { type: "string", description: "The attachment's read token: no access token needed." } },
        extraErrors: [["invalid-request-structure", 416]],
        success: [
          { status: 200, description: "The file.", media: "binary", headers: { ETag: "Quoted integrity", Digest: "sha-256=…" } },
          { status: 206, description: "The requested byte range (`Range: bytes=…`).", media: "binary" },
          { status: 304, description: "Not modified (`If-None-Match` matched the `ETag`).", media: "none" },
        ],
      }),
    ),
    ...["/access/invitationtoken/check", "/reg/access/invitationtoken/check"].map(
      (path): ApiOperation => ({
        verb: "post",
        path,
        methodId: "auth.invitationTokenCheck",
        success: [{ status: 200, description: "Plain text `true` or `false`.", media: "text", schema: { type: "string", enum: ["true", "false"] } }],
      }),
    ),
    {
      verb: "delete",
      path: "/system/users/:username/mfa",
      methodId: "system.deactivateMfa",
      input: "none",
      success: [{ status: 204, description: "MFA removed from the account.", media: "none" }],
    },
    {
      verb: "get",
      path: "/reg/:username/server",
      methodId: "auth.userServer",
      description: "Redirects to the account's core (`Location: {core}/?username=…`), with the same JSON as the POST in the body.",
      success: [{ status: 302, description: "Redirect to the account's core.", media: "json", schema: "result", headers: { Location: "The core's URL" } }],
    },
    ...["/reg/username/check", "/reg/email/check"].map(
      (path): ApiOperation => ({
        verb: "post",
        path,
        methodId: null,
        tag: "register",
        summary: "Removed (answers `removed-method` 410, as the reference)",
        success: [],
        extraErrors: ["removed-method"],
        extensions: { deprecated: true },
      }),
    ),
    {
      verb: "get",
      path: "/:username/auth/who-am-i",
      methodId: null,
      tag: "auth",
      summary: "Removed (answers `removed-method` 410, as the reference)",
      success: [],
      extraErrors: ["removed-method"],
      extensions: { deprecated: true },
    },
    ...socketOperations(),
  ];
}

function socketOperations(): ApiOperation[] {
  const socketIo = {
    protocol: "Socket.IO v4 over Engine.IO v4 (WebSocket, and HTTP long-polling with the upgrade)",
    namespace: "/{username}",
    auth: "the token in the `auth` query parameter of the handshake (as @pryv/socket.io sends it)",
    emits: ["eventsChanged", "streamsChanged", "accessesChanged"],
    calls: "any batchable method id as the event name, params as the first argument, an acknowledgement callback `(error, result)`",
    docs: "docs/notifications.md",
  };
  const forms: ApiOperation[] = [];
  for (const [path, alsoAt] of [["/socket.io/", "/socket.io"], ["/:username/socket.io/", "/:username/socket.io"]] as const) {
    for (const verb of ["get", "post"] as const) {
      forms.push({
        verb,
        path,
        alsoAt: [alsoAt],
        methodId: null,
        tag: "notifications",
        summary: `Socket.IO endpoint (${verb === "get" ? "handshake, polling, WebSocket upgrade" : "long-polling send"})`,
        description:
          "Engine.IO transport of the Socket.IO notifications; OpenAPI has no construct for it, see `x-pryv-socket-io`. " +
          (path.startsWith("/:username") ? "The account in the path." : "The account as the Socket.IO namespace (`/{username}`)."),
        extraQuery: {
          EIO: { type: "string", enum: ["4"] },
          transport: { type: "string", enum: ["polling", "websocket"] },
          sid: { type: "string" },
          auth: { type: "string", description: "The access token." },
        },
        success: [
          { status: 101, description: "Switched to WebSocket.", media: "none" },
          { status: 200, description: "Engine.IO packets.", media: "text" },
          { status: 400, description: "Engine.IO protocol error `{code, message}`.", media: "json", schema: { type: "object" } },
          { status: 413, description: "Engine.IO payload too large `{code, message}`.", media: "json", schema: { type: "object" } },
        ],
        extensions: { "x-pryv-socket-io": socketIo },
        extraErrors: ["unknown-resource", "wrong-core", "invalid-access-token", ["invalid-access-token", 403], "forbidden"],
      });
    }
  }
  forms.push({
    verb: "get",
    path: "/:username/ws",
    methodId: null,
    tag: "notifications",
    summary: "Plain JSON WebSocket",
    description:
      "A WebSocket (`Upgrade: websocket`, token in `auth` or `Authorization`): send `{id, method, params}`, receive `{id, result}` or `{id, error}`, " +
      "and pushes `{event: \"eventsChanged\" | \"streamsChanged\" | \"accessesChanged\"}`. See `x-pryv-websocket`.",
    extraQuery: { auth: { type: "string", description: "The access token." } },
    success: [{ status: 101, description: "Switched to WebSocket.", media: "none" }],
    extensions: {
      "x-pryv-websocket": {
        send: { id: "string | number", method: "a batchable method id", params: "object" },
        receive: [{ id: "as sent", result: "the method's result" }, { id: "as sent", error: "{id, message, data?}" }, { event: "eventsChanged | streamsChanged | accessesChanged" }],
        docs: "docs/notifications.md",
      },
    },
    extraErrors: ["unknown-resource", "wrong-core", "invalid-access-token", ["invalid-access-token", 403], "forbidden", ["invalid-request-structure", 426]],
  });
  return forms;
}

/** Per-route additions to a plain binding (same verb and path). */
const asHtml: Partial<ApiOperation> = {
  extraQuery: { toHTML: { type: "string", enum: ["true"], description: "Answer an HTML table instead of JSON." } },
  extraSuccess: [{ status: 200, description: "The same, as an HTML table (`toHTML=true`).", media: "html", schema: { type: "string" } }],
};
const BINDING_EXTRAS: Record<string, Partial<ApiOperation>> = {
  "post /:username/events": { extensions: { "x-pryv-multipart": "also accepts multipart/form-data (see the request body)" } },
  "get /reg/admin/users": asHtml,
  "get /reg/admin/users/:user": asHtml,
  "get /reg/admin/servers": asHtml,
  "get /reg/admin/servers/:name/users": asHtml,
};

const strip = (path: string) => (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path);

/** All documented operations, trailing-slash twins folded into one. */
export function apiOperations(): ApiOperation[] {
  const fromTable: ApiOperation[] = httpRoutes().map((route) => ({
    verb: route.verb,
    path: route.fullPath,
    methodId: route.methodId,
    build: route.build,
    ...BINDING_EXTRAS[`${route.verb} ${route.fullPath}`],
  }));
  const all = [...fromTable, ...extraOperations()];
  const byKey = new Map<string, ApiOperation>();
  for (const op of all) {
    const key = `${op.verb} ${strip(op.path)}`;
    const twin = byKey.get(key);
    if (twin) {
      if (twin.methodId !== op.methodId) throw new Error(`two operations at ${key}`);
      twin.alsoAt = [...(twin.alsoAt ?? []), op.path];
    } else byKey.set(key, { ...op });
  }
  return [...byKey.values()];
}
