import { describe, expect, it } from "vitest";
import { BASE, expectError, get, post } from "../helpers/api";
import { createUser, uniqueUsername } from "../helpers/users";

describe("register directory", () => {
  it("check_username: free, taken, reserved, invalid", async () => {
    const user = await createUser();
    expect((await get(`/reg/${uniqueUsername()}/check_username`)).body).toMatchObject({ reserved: false });
    expect((await get(`/reg/${user.username}/check_username`)).body).toMatchObject({ reserved: true, reason: "taken" });
    expect((await get("/reg/service/check_username")).body).toMatchObject({ reserved: true, reason: "reserved" });
    const invalid = await get("/reg/Not_Valid/check_username");
    expect(expectError(invalid, 400, "invalid-parameters-format").data[0].code).toBe("username-invalid");
  });

  it("check_email: free → {reserved:false}; taken → 409 naming the email", async () => {
    const user = await createUser();
    expect((await get(`/reg/free-${user.email}/check_email`)).body).toMatchObject({ reserved: false });
    const taken = await get(`/reg/${encodeURIComponent(user.email)}/check_email`);
    expect(expectError(taken, 409, "item-already-exists").data).toEqual({ email: user.email });
    expectError(await get("/reg/not-an-email/check_email"), 400, "invalid-parameters-format");
  });

  it("email → username and uid; unknown email → 404 unknown-email", async () => {
    const user = await createUser();
    const email = encodeURIComponent(user.email.toUpperCase());
    expect((await get(`/reg/${email}/username`)).body).toMatchObject({ username: user.username });
    expect((await get(`/reg/${email}/uid`)).body).toMatchObject({ uid: user.username });
    expectError(await get("/reg/nobody%40example.com/username"), 404, "unknown-email");
    expectError(await get("/reg/nobody%40example.com/uid"), 404, "unknown-email");
  });

  it("server: POST answers {server, alias}, GET redirects to the core; unknown → 404", async () => {
    const user = await createUser();
    const posted = await post(`/reg/${user.username}/server`, {});
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ server: BASE, alias: user.username });
    const redirect = await get(`/reg/${user.username}/server`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("Location")).toBe(`${BASE}/?username=${user.username}`);
    expectError(await post("/reg/no-such-user-x1/server", {}), 404, "unknown-user");
    expectError(await get("/reg/no-such-user-x1/server"), 404, "unknown-user");
  });

  it("cores: by username (the user's API root), by email (always a core), errors", async () => {
    const user = await createUser();
    expect((await get("/reg/cores", { query: { username: user.username } })).body.core).toEqual({
      url: `${BASE}/${user.username}/`,
    });
    expect((await get("/reg/cores", { query: { email: user.email } })).body.core).toEqual({ url: `${BASE}/` });
    // An unknown email gets the same answer: nothing to learn from it.
    expect((await get("/reg/cores", { query: { email: "nobody@example.com" } })).body.core).toEqual({ url: `${BASE}/` });
    expectError(await get("/reg/cores", { query: { username: "no-such-user-x2" } }), 404, "unknown-resource");
    expectError(await get("/reg/cores"), 400, "invalid-parameters-format");
    expectError(await get("/reg/cores", { query: { username: "a-user", email: "a@b.c" } }), 400, "invalid-parameters-format");
  });

  it("hostings: regions → zones → hostings with availableCore", async () => {
    const res = await get("/reg/hostings");
    expect(res.status).toBe(200);
    expect(res.body.regions.local.zones.local.hostings.local).toMatchObject({
      available: true,
      availableCore: `${BASE}/`,
      name: expect.any(String),
    });
  });

  it("apps: list and unknown app", async () => {
    for (const base of ["/reg/apps", "/apps"]) {
      expect((await get(base)).body.apps).toEqual([]);
      expectError(await get(`${base}/no-such-app`), 404, "unknown-resource");
    }
  });

  it("removed legacy checks answer 410", async () => {
    expectError(await post("/reg/username/check", {}), 410, "removed-method");
    expectError(await post("/reg/email/check", {}), 410, "removed-method");
  });
});
