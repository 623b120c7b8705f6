/** The `meta` every JSON response carries, and the JSON response helper. */
import type { Context } from "hono";
import type { Config } from "../config";
import { nowSeconds } from "../shared/time";
import { phaseSync } from "../shared/trace";

/** The Pryv API version this service implements (clients pick modern routes for >= 1.6). */
export const API_VERSION = "2.0.0";

export interface Meta {
  apiVersion: string;
  serverTime: number;
  serial: string;
}

export function meta(config: Pick<Config, "service"> | null): Meta {
  return { apiVersion: API_VERSION, serverTime: nowSeconds(), serial: config?.service.serial ?? "" };
}

/** A JSON response `{...body, meta}` with the Pryv headers. */
export function jsonResponse(
  c: Context,
  config: Config | null,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): Response {
  const text = phaseSync("serialise", () => JSON.stringify({ ...body, meta: meta(config) }));
  return c.newResponse(text, status as 200, {
    "Content-Type": "application/json; charset=utf-8",
    "API-Version": API_VERSION,
    ...headers,
  });
}
