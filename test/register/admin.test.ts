import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectError, get, post } from "../helpers/api";
import { createUser } from "../helpers/users";

const ADMIN = { headers: { Authorization: "dev-admin-key" } };

describe("admin API (local mode, development key)", () => {
  it("lists and reads users without secrets", async () => {
    const user = await createUser();
    const one = await get(`/reg/admin/users/${user.username}`, ADMIN);
    expect(one.status).toBe(200);
    expect(one.body.user).toMatchObject({ username: user.username, email: user.email, core: "local" });
    expect(JSON.stringify(one.body)).not.toMatch(/pbkdf2|password/);
    const list = await get("/reg/admin/users", { ...ADMIN, query: { limit: 1000 } });
    expect(list.body.users.map((u: { username: string }) => u.username)).toContain(user.username);
    expectError(await get("/reg/admin/users/no-such-user-a1", ADMIN), 404, "unknown-resource");
  });

  it("creates and lists invitation tokens (both forms)", async () => {
    const created = await post("/reg/admin/invitations", { count: 3, description: "beta testers" }, ADMIN);
    expect(created.status).toBe(201);
    expect(created.body.invitations).toHaveLength(3);
    const viaGet = await get("/reg/admin/invitations/post", { ...ADMIN, query: { count: 2, message: "legacy" } });
    expect(viaGet.body.invitations).toHaveLength(2);
    const ids = (await get("/reg/admin/invitations", ADMIN)).body.invitations.map((i: { id: string }) => i.id);
    for (const i of [...created.body.invitations, ...viaGet.body.invitations]) expect(ids).toContain(i.id);
    expectError(await post("/reg/admin/invitations", { count: 0 }, ADMIN), 400, "invalid-parameters-format");
    expectError(await post("/reg/admin/invitations", { count: 101 }, ADMIN), 400, "invalid-parameters-format");
  });

  it("refuses a missing or wrong key", async () => {
    expectError(await get("/reg/admin/users"), 401, "invalid-access-token");
    expectError(await get("/reg/admin/users", { headers: { Authorization: "dev-admin-kez" } }), 403, "forbidden");
  });

  it("accepts the development key on loopback only", async () => {
    const res = await SELF.fetch("http://pryv.example.org/reg/admin/users", ADMIN);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error.id).toBe("api-unavailable");
  });
});
