/**
 * The benchmark's floor for a read: one bare D1 round trip (`SELECT 1`), with
 * no API around it. Every read of the API needs at least one, so this is what
 * the runtime allows a read at most. Served only in local mode when
 * BENCH_ROUTES is "true" (`npm run bench` sets it); absent everywhere else.
 */
import { Hono } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../http/app-env";

export const rawD1Routes = new Hono<AppEnv>();

rawD1Routes.get("/", async (c) => {
  if (!getConfig(c.env).isLocal || c.env.BENCH_ROUTES !== "true") return c.notFound();
  await c.env.DB.prepare("SELECT 1").first();
  return c.body(null, 204);
});
