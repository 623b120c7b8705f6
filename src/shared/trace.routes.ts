/**
 * Bench mode only (local, BENCH_ROUTES=true): the whole-answer trace of a
 * streamed answer, by the id its `Bench-Trace` header gave — D1 round trips
 * and phases, the pages read after the headers included (src/shared/trace.ts).
 * Each is answered once. Absent everywhere else.
 */
import { Hono } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../http/app-env";
import { jsonResponse } from "../http/meta";
import { takeFinishedTrace, traceEnabled } from "./trace";

export const traceRoutes = new Hono<AppEnv>();

traceRoutes.get("/:id", (c) => {
  if (!traceEnabled(c.env)) return c.notFound();
  const id = c.req.param("id");
  const trace = /^\d{1,10}$/.test(id) ? takeFinishedTrace(Number(id)) : null;
  if (!trace) return c.notFound();
  return jsonResponse(c, getConfig(c.env), 200, { d1Trips: trace.d1Trips, phases: trace.phases });
});
