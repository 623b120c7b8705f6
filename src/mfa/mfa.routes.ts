/** HTTP binding of the mfa.* methods (the reference's paths); the mfaToken comes in `Authorization`. */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { callMethod, outcomeResponse, routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const mfaRoutes = routeGroup([
  { verb: "post", path: "/mfa/activate", methodId: "mfa.activate" },
  { verb: "post", path: "/mfa/confirm", methodId: "mfa.confirm" },
  { verb: "post", path: "/mfa/challenge", methodId: "mfa.challenge" },
  { verb: "post", path: "/mfa/verify", methodId: "mfa.verify" },
  // The reference ignores the body of deactivate.
  { verb: "post", path: "/mfa/deactivate", methodId: "mfa.deactivate", build: () => ({}) },
  { verb: "post", path: "/mfa/recover", methodId: "mfa.recover" },
]);

/** The reference's system route (admin key); its success is an empty 204. */
export const systemMfaRoutes = new Hono<AppEnv>();
systemMfaRoutes.delete("/system/users/:username/mfa", async (c) => {
  const outcome = await callMethod(c, "system.deactivateMfa", {});
  return outcome.ok ? c.body(null, 204) : outcomeResponse(c, outcome);
});
