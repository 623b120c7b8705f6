/**
 * The benchmark's baseline for file transfers: a bare R2 put and get, with no
 * API around them. Served only in local mode when BENCH_ROUTES is "true"
 * (`npm run bench` sets it); absent everywhere else.
 *
 * `PUT ?layout=attachment` stores the object the way attachments are stored
 * (R2 multipart parts above 5 MiB), so a download baseline reads an object laid
 * out like the API's: local R2 serves multipart objects far slower than single
 * puts, and the comparison must not credit that to the API.
 */
import { Hono } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../http/app-env";
import { storeFile } from "./file-store";

export const rawR2Routes = new Hono<AppEnv>();

rawR2Routes.use("*", async (c, next) => {
  if (!getConfig(c.env).isLocal || c.env.BENCH_ROUTES !== "true") return c.notFound();
  await next();
});
rawR2Routes.put("/:key", async (c) => {
  const key = `bench/${c.req.param("key")}`;
  if (c.req.query("layout") === "attachment") {
    const unlimited = Number.MAX_SAFE_INTEGER;
    const budget = { maxFileBytes: unlimited, maxRequestBytes: unlimited, remaining: unlimited };
    // No account's file: there is no ledger to record the upload in.
    await storeFile(c.env.FILES, key, c.req.raw.body!, budget, "application/octet-stream", async () => undefined);
    return c.body(null, 204);
  }
  await c.env.FILES.put(key, c.req.raw.body!);
  return c.body(null, 204);
});
rawR2Routes.get("/:key", async (c) => {
  const object = await c.env.FILES.get(`bench/${c.req.param("key")}`);
  return object ? new Response(object.body) : c.notFound();
});
