/**
 * `GET /openapi.json` (and `/reg/openapi.json`, where the register lives in
 * DNS-less mode): the document, built once per isolate for its configuration.
 */
import { Hono } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../http/app-env";
import { openApiDocument } from "./document";

export const openApiRoutes = new Hono<AppEnv>();

for (const path of ["/openapi.json", "/reg/openapi.json"]) {
  openApiRoutes.get(path, (c) => {
    c.header("Cache-Control", "no-cache");
    return c.json(openApiDocument(getConfig(c.env)));
  });
}
