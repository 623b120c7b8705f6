import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const webhooksRoutes = routeGroup([
  { verb: "get", path: "/webhooks", methodId: "webhooks.get" },
  { verb: "post", path: "/webhooks", methodId: "webhooks.create" },
  { verb: "get", path: "/webhooks/:id", methodId: "webhooks.getOne", build: ({ path }) => ({ id: path.id }) },
  { verb: "put", path: "/webhooks/:id", methodId: "webhooks.update", build: ({ path, body }) => ({ id: path.id, update: body }) },
  { verb: "delete", path: "/webhooks/:id", methodId: "webhooks.delete", build: ({ path }) => ({ id: path.id }) },
  { verb: "post", path: "/webhooks/:id/test", methodId: "webhooks.test", build: ({ path }) => ({ id: path.id }) },
]);
