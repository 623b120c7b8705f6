import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const profileRoutes = routeGroup([
  { verb: "get", path: "/profile/public", methodId: "profile.getPublic" },
  { verb: "put", path: "/profile/public", methodId: "profile.update", build: ({ body }) => ({ id: "public", update: body }) },
  { verb: "get", path: "/profile/private", methodId: "profile.get", build: () => ({ id: "private" }) },
  { verb: "put", path: "/profile/private", methodId: "profile.update", build: ({ body }) => ({ id: "private", update: body }) },
  { verb: "get", path: "/profile/app", methodId: "profile.getApp" },
  { verb: "put", path: "/profile/app", methodId: "profile.updateApp", build: ({ body }) => ({ update: body }) },
]);
