/**
 * `POST /access/invitationtoken/check` `{invitationtoken}` → plain text `true` or
 * `false`, as the reference (mounted at `/reg` and at the root). Bad input is a
 * Pryv error in JSON like everywhere else.
 */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { callMethod, outcomeResponse, routeInput } from "../http/bind";

export const invitationCheckRoutes = new Hono<AppEnv>();

invitationCheckRoutes.post("/access/invitationtoken/check", async (c) => {
  const { body } = await routeInput(c);
  const outcome = await callMethod(c, "auth.invitationTokenCheck", body);
  if (!outcome.ok) return outcomeResponse(c, outcome);
  const { valid } = outcome.result as { valid: boolean };
  return c.text(valid ? "true" : "false", 200, { "Content-Type": "text/plain; charset=utf-8" });
});
