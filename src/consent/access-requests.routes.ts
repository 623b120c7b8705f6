/**
 * HTTP binding of the access requests, mounted at `/reg` (and `reg.{domain}`).
 * With and without the trailing slash: the client posts to the service info's
 * `access` (`…/reg/access/`) and polls `poll` (`…/reg/access/{key}`).
 */
import { routeGroup, type RouteInput, type RouteSpec } from "../http/bind";

/** The body with the key from the path (a non-object body is left for the schema to refuse). */
const withKey = ({ body, path }: RouteInput) =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? { ...body, key: path.key } : body;

const specs: RouteSpec[] = ["", "/"].flatMap((slash) => [
  { verb: "post", path: `/access${slash}`, methodId: "accessRequests.create" },
  { verb: "get", path: `/access/:key${slash}`, methodId: "accessRequests.poll", build: ({ path }) => ({ key: path.key }) },
  { verb: "post", path: `/access/:key${slash}`, methodId: "accessRequests.update", build: withKey },
]);

export const accessRequestsRoutes = routeGroup(specs);
