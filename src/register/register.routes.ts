/** HTTP binding of the register (mounted at `/reg`, and at `reg.{domain}` in subdomain mode). */
import { Hono } from "hono";
import { errors } from "../errors";
import type { AppEnv } from "../http/app-env";
import { callMethod, outcomeResponse, routeGroup } from "../http/bind";
import { htmlWhenAsked } from "./directory-html";

export const registerRoutes = routeGroup([
  { verb: "post", path: "/users", methodId: "auth.register" },
  { verb: "post", path: "/user", methodId: "auth.register" },
  { verb: "get", path: "/hostings", methodId: "auth.hostings" },
  { verb: "get", path: "/cores", methodId: "auth.cores" },
  { verb: "get", path: "/apps", methodId: "apps.get" },
  { verb: "get", path: "/apps/:id", methodId: "apps.getOne", build: ({ path }) => ({ id: path.id }) },
  { verb: "get", path: "/admin/users", methodId: "admin.listUsers" },
  { verb: "get", path: "/admin/users/:user", methodId: "admin.getUser", build: ({ path }) => ({ username: path.user }) },
  { verb: "get", path: "/admin/servers", methodId: "admin.listServers" },
  { verb: "get", path: "/admin/servers/:name/users", methodId: "admin.serverUsers", build: ({ path, query }) => ({ ...query, serverName: path.name }) },
  {
    verb: "get",
    path: "/admin/servers/:src/rename/:dst",
    methodId: "admin.renameServer",
    build: ({ path }) => ({ srcServerName: path.src, dstServerName: path.dst }),
  },
  { verb: "get", path: "/admin/invitations", methodId: "admin.listInvitations" },
  { verb: "post", path: "/admin/invitations", methodId: "admin.createInvitations" },
  // The reference's form: GET /reg/admin/invitations/post?count=N&message=…
  {
    verb: "get",
    path: "/admin/invitations/post",
    methodId: "admin.createInvitations",
    build: ({ query }) => ({ count: query.count, description: query.message }),
  },
  { verb: "get", path: "/admin/trail", methodId: "admin.getTrail" },
  { verb: "get", path: "/records", methodId: "admin.listDnsRecords" },
  { verb: "post", path: "/records", methodId: "admin.setDnsRecord" },
  { verb: "delete", path: "/records/:subdomain", methodId: "admin.deleteDnsRecord", build: ({ path }) => ({ subdomain: path.subdomain }) },
  { verb: "get", path: "/:username/check_username", methodId: "auth.usernameCheck", build: ({ path }) => ({ username: path.username }) },
  { verb: "get", path: "/:email/check_email", methodId: "auth.emailCheck", build: ({ path }) => ({ email: path.email }) },
  { verb: "get", path: "/:email/username", methodId: "auth.usernameForEmail", build: ({ path }) => ({ email: path.email }) },
  { verb: "get", path: "/:email/uid", methodId: "auth.usernameForEmail", build: ({ path }) => ({ email: path.email }) },
  { verb: "post", path: "/:username/server", methodId: "auth.userServer", build: ({ path }) => ({ username: path.username }) },
]);

/** Register routes that are not plain method bindings. */
export const registerExtraRoutes = new Hono<AppEnv>();

// `toHTML=true`: the same admin methods, rendered as tables.
registerExtraRoutes.get("/admin/users", htmlWhenAsked("admin.listUsers", () => ({})));
registerExtraRoutes.get("/admin/users/:user", htmlWhenAsked("admin.getUser", (c) => ({ username: c.req.param("user") })));
registerExtraRoutes.get("/admin/servers", htmlWhenAsked("admin.listServers", () => ({})));
registerExtraRoutes.get("/admin/servers/:name/users", htmlWhenAsked("admin.serverUsers", (c) => ({ serverName: c.req.param("name") })));

// Removed from the reference API long ago; answer as it does.
for (const path of ["/username/check", "/email/check"]) {
  registerExtraRoutes.post(path, () => {
    throw errors.removedMethod();
  });
}

/** GET redirects to the user's core (as the reference), with the same JSON as POST in the body. */
registerExtraRoutes.get("/:username/server", async (c) => {
  const username = c.req.param("username");
  const outcome = await callMethod(c, "auth.userServer", { username });
  if (!outcome.ok) return outcomeResponse(c, outcome);
  const { server } = outcome.result as { server: string };
  const location = `${server}/?username=${encodeURIComponent(username)}`;
  return outcomeResponse(c, outcome, { status: 302, headers: { Location: location } });
});
