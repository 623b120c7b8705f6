import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const eventsRoutes = routeGroup([
  { verb: "get", path: "/events", methodId: "events.get" },
  { verb: "post", path: "/events", methodId: "events.create" },
  { verb: "get", path: "/events/:id", methodId: "events.getOne", build: ({ path, query }) => ({ ...query, id: path.id }) },
  { verb: "put", path: "/events/:id", methodId: "events.update", build: ({ path, body }) => ({ id: path.id, update: body }) },
  { verb: "delete", path: "/events/:id", methodId: "events.delete", build: ({ path, query }) => ({ ...query, id: path.id }) },
]);
