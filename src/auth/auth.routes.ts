import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. (`GET /auth/who-am-i`, removed from the API, answers 410: see app.ts.) */
export const authRoutes = routeGroup([
  { verb: "post", path: "/auth/login", methodId: "auth.login" },
  { verb: "post", path: "/auth/logout", methodId: "auth.logout" },
]);
