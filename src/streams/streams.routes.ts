import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const streamsRoutes = routeGroup([
  { verb: "get", path: "/streams", methodId: "streams.get" },
  { verb: "post", path: "/streams", methodId: "streams.create" },
  { verb: "put", path: "/streams/:id", methodId: "streams.update", build: ({ path, body }) => ({ id: path.id, update: body }) },
  { verb: "delete", path: "/streams/:id", methodId: "streams.delete", build: ({ path, query }) => ({ ...query, id: path.id }) },
]);
