import { routeGroup } from "../http/bind";

/** Mounted under `/{username}`. */
export const accessesRoutes = routeGroup([
  { verb: "get", path: "/accesses", methodId: "accesses.get" },
  { verb: "post", path: "/accesses", methodId: "accesses.create" },
  { verb: "post", path: "/accesses/check-app", methodId: "accesses.checkApp" },
  { verb: "get", path: "/accesses/:id", methodId: "accesses.getOne", build: ({ path }) => ({ id: path.id }) },
  { verb: "put", path: "/accesses/:id", methodId: "accesses.update", build: ({ path, body }) => ({ id: path.id, update: body }) },
  { verb: "delete", path: "/accesses/:id", methodId: "accesses.delete", build: ({ path }) => ({ id: path.id }) },
  { verb: "get", path: "/access-info", methodId: "getAccessInfo", build: () => ({}) },
]);
