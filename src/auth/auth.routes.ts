import { Hono } from "hono";
import { errors } from "../errors";
import type { AppEnv } from "../http/app-env";
import { bind } from "../http/bind";

/** Mounted under `/{username}`. */
export const authRoutes = new Hono<AppEnv>();

bind(authRoutes, "post", "/auth/login", "auth.login");
bind(authRoutes, "post", "/auth/logout", "auth.logout");
authRoutes.get("/auth/who-am-i", () => {
  throw errors.removedMethod();
});
