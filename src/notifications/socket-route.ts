/**
 * The socket endpoints in the Worker: Engine.IO at `/socket.io/?EIO=4&transport=websocket|polling&auth={token}`
 * (what `@pryv/socket.io` and `socket.io-client` open for `{api}{username}?auth=…`),
 * and `/{username}/socket.io/` for clients given that path; the plain JSON
 * WebSocket at `/{username}/ws?auth={token}`. The token is authenticated on
 * every request (each polling GET and POST, the upgrade) before anything
 * reaches the account's Durable Object, found from the path, else from the
 * token; a refused token gets the Pryv error JSON and status. A polling
 * session's `sid` is then looked up in that object, and is only valid with
 * the token that opened it.
 */
import type { Context } from "hono";
import { and, eq, isNull } from "drizzle-orm";
import { accountStub } from "../account-do/stub";
import { resolveUserAndAccess } from "../accesses/authenticate";
import { getConfig } from "../config";
import { createDb, type Db } from "../db/client";
import { accesses, users } from "../db/schema";
import { errors } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readToken } from "../http/auth-token";
import { callerInfo } from "../http/caller";
import type { CallerInfo } from "../methods/method";
import { LIMITS } from "../shared/limits";
import { nowSeconds } from "../shared/time";
import { GRANT_HEADER, type SocketGrant } from "./socket-host";

/** Engine.IO's own answer to a transport it does not serve (its error code 0). */
const transportRefused = (c: Context<AppEnv>) => c.json({ code: 0, message: "Transport unknown" }, 400);

/**
 * The account of a token when the path names none (the add-on's default
 * `/socket.io/` path): tokens are random (165 bits), so one match at most.
 */
async function accountOfToken(db: Db, token: string): Promise<string | null> {
  const rows = await db
    .select({ username: users.username })
    .from(accesses)
    .innerJoin(users, eq(users.id, accesses.userId))
    .where(and(eq(accesses.token, token), isNull(accesses.deleted)))
    .limit(2)
    .all();
  return rows.length === 1 ? rows[0]!.username : null;
}

/**
 * The grant travels in each socket's hibernation attachment, whose size the
 * runtime limits: client-written texts (Origin/Referer, host) are cut short.
 */
function boundedCaller(caller: CallerInfo): CallerInfo {
  const cut = (text: string | null) => (text === null ? null : text.slice(0, LIMITS.shortText));
  return { ...caller, host: caller.host.slice(0, LIMITS.shortText), origin: cut(caller.origin), asOrganization: cut(caller.asOrganization) };
}

/** Authenticates the request's token and hands the request to the account's object at `doPath`. */
async function forward(c: Context<AppEnv>, doPath: string, upgrade: boolean): Promise<Response> {
  const config = getConfig(c.env);
  const db = createDb(c.env.DB);
  const token = readToken(c.req.raw);
  let username = c.req.param("username") ?? null;
  if (!username && token) username = await accountOfToken(db, token);
  if (!username) {
    if (!token) throw errors.invalidAccessToken('The access token is missing: expected an "auth" query string parameter.');
    throw errors.invalidAccessToken("Cannot find access from token.", 403);
  }
  const { user, access } = await resolveUserAndAccess(db, config, username, token, nowSeconds());
  if (upgrade && c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw errors.invalidRequestStructure('Expected a WebSocket upgrade ("Upgrade: websocket").');
  }
  const grant: SocketGrant = {
    username: user.username,
    userId: user.id,
    accessId: access.id,
    token: token!,
    caller: boundedCaller(callerInfo(c.req.raw)),
  };
  const headers = new Headers(c.req.raw.headers);
  headers.set(GRANT_HEADER, JSON.stringify(grant));
  const sid = new URL(c.req.url).searchParams.get("sid");
  const target = `https://account.internal${doPath}${sid ? `?sid=${encodeURIComponent(sid)}` : ""}`;
  const method = c.req.method;
  return accountStub(c.env, user.username).fetch(
    new Request(target, { method, headers, body: method === "POST" ? c.req.raw.body : null }),
  );
}

/** Engine.IO v4: the WebSocket transport (new, or upgrading a polling session) and long-polling. */
export async function handleSocket(c: Context<AppEnv>): Promise<Response> {
  const url = new URL(c.req.url);
  if (url.searchParams.get("EIO") !== "4") return transportRefused(c);
  const transport = url.searchParams.get("transport");
  if (transport === "websocket") return forward(c, "/socket", true);
  if (transport === "polling") return forward(c, "/poll", false);
  return transportRefused(c);
}

/** The plain JSON WebSocket (docs/notifications.md). */
export function handleJsonSocket(c: Context<AppEnv>): Promise<Response> {
  return forward(c, "/json", true);
}
