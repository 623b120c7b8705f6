/**
 * The Hono app: CORS, the register (`/reg`, `/users`), service info, and the
 * account API under `/{username}`. Errors of any kind leave as Pryv errors.
 */
import { Hono, type Context } from "hono";
import { cors } from "hono/cors";
import { attachmentsRouter } from "./attachments/attachments.routes";
import { rawR2Routes } from "./attachments/raw-r2.routes";
import { rawD1Routes } from "./db/raw-d1.routes";
import { findUserByUsername } from "./account/account.store";
import { handleBatch } from "./batch/batch";
import { getConfig } from "./config";
import { createDb } from "./db/client";
import { errors, toApiError } from "./errors";
import type { AppEnv } from "./http/app-env";
import { configOrNull } from "./http/bind";
import { accountRouteGroups, rootRegisterRoutes } from "./http/route-table";

export { httpRoutes } from "./http/route-table";
import { API_VERSION, jsonResponse } from "./http/meta";
import { registerExtraRoutes, registerRoutes } from "./register/register.routes";
import { directoryRoutes } from "./register/directory.routes";
import { forwardRegistration, forwardToAccountCore } from "./register/forward";
import { invitationCheckRoutes } from "./register/invitations.routes";
import { accessRequestsRoutes } from "./consent/access-requests.routes";
import { serviceInfo } from "./service/service-info";
import { bookmarkHeader } from "./db/replicas";
import { accountServiceRoutes, serviceRoutes } from "./service/service.routes";
import { outboxRoutes } from "./mail/outbox.routes";
import { pagesRoutes } from "./pages/pages.routes";
import { unexpectedError } from "./shared/log";
import { systemMfaRoutes } from "./mfa/mfa.routes";
import { handleJsonSocket, handleSocket } from "./notifications/socket-route";
import { openApiRoutes } from "./openapi/openapi.routes";
import { docsRoutes } from "./openapi/docs.routes";
import { traceRoutes } from "./shared/trace.routes";

/**
 * Sets headers on the answer in place. (`c.header` after the handler copies the
 * whole Response each time — measurable per request in the bench's profile;
 * only an answer with immutable headers, e.g. one passed on from a core, needs it.)
 */
function setResponseHeaders(c: Context<AppEnv>, entries: [string, string][]): void {
  try {
    for (const [name, value] of entries) c.res.headers.set(name, value);
  } catch {
    for (const [name, value] of entries) c.header(name, value);
  }
}

function errorResponse(c: Context<AppEnv>, err: unknown): Response {
  let apiError = toApiError(err);
  if (apiError.id === "unexpected-error") apiError = unexpectedError(`http ${c.req.method}`, err);
  return jsonResponse(c, configOrNull(c), apiError.status, { error: apiError.toBody() }, apiError.headers);
}

/** Unknown path: under an unknown account it is the account that is unknown, as the reference answers. */
async function notFound(c: Context<AppEnv>): Promise<Response> {
  const segment = new URL(c.req.url).pathname.split("/")[1] ?? "";
  let first: string;
  try {
    first = decodeURIComponent(segment);
  } catch {
    return errorResponse(c, errors.unknownResource()); // malformed percent-encoding
  }
  if (first && first !== "reg" && !(await findUserByUsername(createDb(c.env.DB), first))) {
    return errorResponse(c, errors.unknownResource("user", first));
  }
  return errorResponse(c, errors.unknownResource());
}

const isAdminPath = (path: string) =>
  path === "/reg/admin" || path.startsWith("/reg/admin/") || path.startsWith("/system/") ||
  path === "/reg/records" || path.startsWith("/reg/records/") || path.startsWith("/reg/system/");

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // Any origin, never with credentials: tokens travel in headers, not cookies, so
  // no page can make a browser send one it was not given. The admin API gets no
  // CORS headers at all: browsers keep it out of every other origin's reach.
  const exposed = ["API-Version", "Pryv-Access-Id", "Retry-After"];
  const crossOrigin = cors({
    origin: "*",
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    exposeHeaders: exposed,
    maxAge: 86400,
  });
  app.use("*", async (c, next) => {
    if (isAdminPath(c.req.path)) return next();
    if (c.req.method === "OPTIONS") return crossOrigin(c, next); // preflights: hono's cors
    // Other requests get the same two headers hono's cors would set, but on the final answer:
    // it sets them before the handler, which makes Hono build and then copy the Response twice
    // per request (seen in the bench's profile).
    await next();
    setResponseHeaders(c, [["Access-Control-Allow-Origin", "*"], ["Access-Control-Expose-Headers", exposed.join(",")]]);
  });
  app.use("*", async (c, next) => {
    getConfig(c.env); // a misconfiguration answers 503 here, before any route runs
    await next();
    // Answers carry personal data: no cache keeps them (downloads set their own
    // revalidating policy), and no browser guesses their type.
    const added: [string, string][] = [["API-Version", API_VERSION], ["X-Content-Type-Options", "nosniff"]];
    if (!c.res.headers.has("Cache-Control")) added.push(["Cache-Control", "no-store"]);
    setResponseHeaders(c, added);
  });
  app.use("*", bookmarkHeader); // local mode with D1_READ_REPLICAS=on only (src/db/replicas.ts)
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => notFound(c));

  app.get("/", (c) => jsonResponse(c, getConfig(c.env), 200, { service: serviceInfo(getConfig(c.env)) }));
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.route("/", serviceRoutes);
  app.route("/", openApiRoutes); // `/openapi.json`, `/reg/openapi.json` (src/openapi/)
  app.route("/", docsRoutes); // `/docs`, `/reg/docs`: the interactive reference
  app.route("/bench/r2", rawR2Routes);
  app.route("/bench/d1", rawD1Routes);
  app.route("/bench/trace", traceRoutes);

  const role = (c: Context<AppEnv>) => getConfig(c.env).role;
  const registerEnabled = (c: Context<AppEnv>) => role(c) !== "core";
  for (const path of ["/reg/*", "/apps", "/apps/*", "/access/invitationtoken/check"]) {
    app.use(path, async (c, next) => (registerEnabled(c) ? next() : notFound(c)));
  }
  // Accounts are created and deleted on their core; a register passes these on (src/register/forward.ts).
  const onRegister = (c: Context<AppEnv>, method: string) => role(c) === "register" && c.req.method === method;
  for (const path of ["/users", "/reg/users", "/reg/user"]) {
    app.use(path, async (c, next) => (onRegister(c, "POST") ? forwardRegistration(c) : next()));
  }
  app.use("/users/:username", async (c, next) =>
    onRegister(c, "DELETE") ? forwardToAccountCore(c, c.req.param("username")) : next(),
  );
  app.route("/reg/system/directory", directoryRoutes); // cores' calls to the directory (src/register/register-client.ts)
  app.route("/reg", pagesRoutes); // the web pages (`/reg/auth…`) and service assets (`/reg/assets/…`)
  app.route("/reg/dev", outboxRoutes); // local only (mail/outbox.routes.ts)
  app.route("/reg", accessRequestsRoutes.router); // before the `/:username/…` patterns, which `access/{key}` would match
  app.route("/reg", registerExtraRoutes);
  app.route("/reg", registerRoutes.router);
  app.route("/", rootRegisterRoutes.router);
  for (const prefix of ["/reg", "/"]) app.route(prefix, invitationCheckRoutes); // before `/:username`, which `access` would match

  // Sockets (src/notifications/): the add-on's default path, and the path form.
  const socketsEnabled = (c: Context<AppEnv>) => role(c) !== "register";
  for (const path of ["/socket.io", "/socket.io/", "/:username/socket.io", "/:username/socket.io/"]) {
    app.on(["GET", "POST"], path, (c) => (socketsEnabled(c) ? handleSocket(c) : notFound(c)));
  }
  // The plain JSON WebSocket (docs/notifications.md).
  app.get("/:username/ws", (c) => (socketsEnabled(c) ? handleJsonSocket(c) : notFound(c)));

  // The reference's core-side admin routes (admin key).
  app.use("/system/*", async (c, next) => (role(c) !== "register" ? next() : notFound(c)));
  app.route("/", systemMfaRoutes);

  const account = new Hono<AppEnv>();
  // A register passes every account request on to the account's core.
  account.use("*", async (c, next) => (role(c) !== "register" ? next() : forwardToAccountCore(c, c.req.param("username")!)));
  account.route("/", accountServiceRoutes);
  account.get("/auth/who-am-i", () => {
    throw errors.removedMethod();
  });
  account.route("/", attachmentsRouter);
  for (const group of accountRouteGroups) account.route("/", group.router);
  app.route("/:username", account);
  // Batch calls at the account's root, with or without the trailing slash.
  const batch = (c: Context<AppEnv>) =>
    getConfig(c.env).role !== "register" ? handleBatch(c) : forwardToAccountCore(c, c.req.param("username")!);
  app.post("/:username/", batch);
  app.post("/:username", batch);

  return app;
}
