/**
 * Every plain method binding, by path: the tables app.ts mounts, and their
 * full paths (DNS-less form) for conformance tests, docs, and the pages'
 * calls through a register to a core (pages/page-calls.ts).
 */
import { accessesRoutes } from "../accesses/accesses.routes";
import { accountRoutes } from "../account/account.routes";
import { attachmentsRoutes } from "../attachments/attachments.routes";
import { authRoutes } from "../auth/auth.routes";
import { accessRequestsRoutes } from "../consent/access-requests.routes";
import { eventsRoutes } from "../events/events.routes";
import { mfaRoutes } from "../mfa/mfa.routes";
import { profileRoutes } from "../profile/profile.routes";
import { registerRoutes } from "../register/register.routes";
import { streamsRoutes } from "../streams/streams.routes";
import { webhooksRoutes } from "../webhooks/webhooks.routes";
import { followedSlicesRoutes } from "../followed-slices/followed-slices.routes";
import { routeGroup, type RouteSpec } from "./bind";

/** Root-level register routes (the reference serves these outside `/reg` too). */
export const rootRegisterRoutes = routeGroup([
  { verb: "post", path: "/users", methodId: "auth.register" },
  { verb: "delete", path: "/users/:username", methodId: "auth.delete", build: () => ({}) },
  { verb: "get", path: "/apps", methodId: "apps.get" },
  { verb: "get", path: "/apps/:id", methodId: "apps.getOne", build: ({ path }) => ({ id: path.id }) },
]);

export const accountRouteGroups = [authRoutes, accountRoutes, profileRoutes, streamsRoutes, eventsRoutes, accessesRoutes, attachmentsRoutes, webhooksRoutes, followedSlicesRoutes, mfaRoutes];

/** Every plain method binding with its full path (DNS-less form), for conformance tests and docs. */
export function httpRoutes(): (RouteSpec & { fullPath: string })[] {
  const under = (prefix: string, specs: readonly RouteSpec[]) =>
    specs.map((spec) => ({ ...spec, fullPath: `${prefix}${spec.path}` }));
  return [
    ...under("", rootRegisterRoutes.specs),
    ...under("/reg", registerRoutes.specs),
    ...under("/reg", accessRequestsRoutes.specs),
    ...accountRouteGroups.flatMap((group) => under("/:username", group.specs)),
  ];
}

