import { Hono } from "hono";
import { getConfig } from "../config";
import { createDb } from "../db/client";
import type { AppEnv } from "../http/app-env";
import { serveMethod } from "../http/bind";
import { resolveUser } from "../accesses/authenticate";

/** Service info at the root and under `/reg` (needs no account). */
export const serviceRoutes = new Hono<AppEnv>();
serviceRoutes.get("/service/info", (c) => serveMethod(c, "service.info", {}));
serviceRoutes.get("/reg/service/info", (c) => serveMethod(c, "service.info", {}));

/** Mounted under `/{username}`: 404 for an unknown account (clients use it to test existence). */
export const accountServiceRoutes = new Hono<AppEnv>();
accountServiceRoutes.get("/service/info", async (c) => {
  await resolveUser(createDb(c.env.DB), getConfig(c.env), c.req.param("username") ?? null);
  return serveMethod(c, "service.info", {});
});
