import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { bind } from "../http/bind";

/** Mounted under `/{username}`. */
export const profileRoutes = new Hono<AppEnv>();

bind(profileRoutes, "get", "/profile/public", "profile.getPublic");
bind(profileRoutes, "put", "/profile/public", "profile.update", ({ body }) => ({ id: "public", update: body }));
bind(profileRoutes, "get", "/profile/private", "profile.get", () => ({ id: "private" }));
bind(profileRoutes, "put", "/profile/private", "profile.update", ({ body }) => ({ id: "private", update: body }));
bind(profileRoutes, "get", "/profile/app", "profile.getApp");
bind(profileRoutes, "put", "/profile/app", "profile.updateApp", ({ body }) => ({ update: body }));
