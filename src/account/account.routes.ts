import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { bind } from "../http/bind";

/** Mounted under `/{username}`. */
export const accountRoutes = new Hono<AppEnv>();

bind(accountRoutes, "get", "/account", "account.get");
bind(accountRoutes, "put", "/account", "account.update", ({ body }) => ({ update: body }));
bind(accountRoutes, "post", "/account/change-password", "account.changePassword");
