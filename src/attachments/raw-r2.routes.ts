/**
 * The benchmark's baseline for file transfers: a bare R2 put and get, with no
 * API around them. Served only in local mode when BENCH_ROUTES is "true"
 * (`npm run bench` sets it); absent everywhere else.
 */
import { Hono } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../http/app-env";

export const rawR2Routes = new Hono<AppEnv>();

rawR2Routes.use("*", async (c, next) => {
  if (!getConfig(c.env).isLocal || c.env.BENCH_ROUTES !== "true") return c.notFound();
  await next();
});
rawR2Routes.put("/:key", async (c) => {
  await c.env.FILES.put(`bench/${c.req.param("key")}`, c.req.raw.body!);
  return c.body(null, 204);
});
rawR2Routes.get("/:key", async (c) => {
  const object = await c.env.FILES.get(`bench/${c.req.param("key")}`);
  return object ? new Response(object.body) : c.notFound();
});
