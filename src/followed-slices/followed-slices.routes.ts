import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const followedSlicesRoutes = routeGroup([
  { verb: "get", path: "/followed-slices", methodId: "followedSlices.get" },
  { verb: "post", path: "/followed-slices", methodId: "followedSlices.create" },
  { verb: "put", path: "/followed-slices/:id", methodId: "followedSlices.update", build: ({ path, body }) => ({ id: path.id, update: body }) },
  { verb: "delete", path: "/followed-slices/:id", methodId: "followedSlices.delete", build: ({ path }) => ({ id: path.id }) },
]);
