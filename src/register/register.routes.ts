/** HTTP binding of the register (mounted at `/reg`, and at `reg.{domain}` in subdomain mode). */
import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";
import { errors } from "../errors";
import { bind, callMethod, outcomeResponse } from "../http/bind";

export const registerRoutes = new Hono<AppEnv>();
const r = registerRoutes;

bind(r, "post", "/users", "auth.register");
bind(r, "post", "/user", "auth.register");
bind(r, "get", "/hostings", "auth.hostings");
bind(r, "get", "/cores", "auth.cores");
bind(r, "get", "/apps", "apps.get");
bind(r, "get", "/apps/:id", "apps.getOne", ({ path }) => ({ id: path.id }));

bind(r, "get", "/admin/users", "admin.listUsers");
bind(r, "get", "/admin/users/:user", "admin.getUser", ({ path }) => ({ username: path.user }));
bind(r, "get", "/admin/invitations", "admin.listInvitations");
bind(r, "post", "/admin/invitations", "admin.createInvitations");
// The reference's form: GET /reg/admin/invitations/post?count=N&message=…
bind(r, "get", "/admin/invitations/post", "admin.createInvitations", ({ query }) => ({
  count: query.count,
  description: query.message,
}));

// Removed from the reference API long ago; answer as it does.
for (const path of ["/username/check", "/email/check"]) {
  r.post(path, () => {
    throw errors.removedMethod();
  });
}

bind(r, "get", "/:username/check_username", "auth.usernameCheck", ({ path }) => ({ username: path.username }));
bind(r, "get", "/:email/check_email", "auth.emailCheck", ({ path }) => ({ email: path.email }));
bind(r, "get", "/:email/username", "auth.usernameForEmail", ({ path }) => ({ email: path.email }));
bind(r, "get", "/:email/uid", "auth.usernameForEmail", ({ path }) => ({ email: path.email }));
bind(r, "post", "/:username/server", "auth.userServer", ({ path }) => ({ username: path.username }));

/** GET redirects to the user's core (as the reference), with the same JSON as POST in the body. */
r.get("/:username/server", async (c) => {
  const username = c.req.param("username");
  const outcome = await callMethod(c, "auth.userServer", { username });
  if (!outcome.ok) return outcomeResponse(c, outcome);
  const { server } = outcome.result as { server: string };
  const location = `${server}/?username=${encodeURIComponent(username)}`;
  return outcomeResponse(c, outcome, { status: 302, headers: { Location: location } });
});
