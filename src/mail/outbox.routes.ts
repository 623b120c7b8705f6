/**
 * The local outbox (outbox.ts), mounted at `/reg/dev`: `GET /outbox` a page
 * for people, `GET /outbox.json` the same for tests. Both answer 404 unless
 * this is a local server whose mail goes to the outbox.
 */
import { Hono } from "hono";
import { getConfig } from "../config";
import { errors } from "../errors";
import type { AppEnv } from "../http/app-env";
import { jsonResponse } from "../http/meta";
import { listOutbox } from "./outbox";
import { outboxPage } from "./outbox-page";

export const outboxRoutes = new Hono<AppEnv>();

outboxRoutes.use("*", async (c, next) => {
  const { isLocal, mail } = getConfig(c.env);
  if (!isLocal || mail.sender !== "outbox") throw errors.unknownResource();
  await next();
});

outboxRoutes.get("/outbox.json", async (c) =>
  jsonResponse(c, getConfig(c.env), 200, { messages: await listOutbox(c.env) }),
);

outboxRoutes.get("/outbox", async (c) => {
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  return c.html(`<!DOCTYPE html>${outboxPage(await listOutbox(c.env))}`);
});
