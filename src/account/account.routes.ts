import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const accountRoutes = routeGroup([
  { verb: "get", path: "/account", methodId: "account.get" },
  { verb: "put", path: "/account", methodId: "account.update", build: ({ body }) => ({ update: body }) },
  { verb: "post", path: "/account/change-password", methodId: "account.changePassword" },
  { verb: "post", path: "/account/request-password-reset", methodId: "account.requestPasswordReset" },
  { verb: "post", path: "/account/reset-password", methodId: "account.resetPassword" },
]);
