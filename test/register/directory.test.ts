import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { BASE, del, expectError, get, post, put, TEST_ADMIN_KEY } from "../helpers/api";
import { accessRows, run, userRow } from "../helpers/db";
import { createUser, login, registrationBody, uniqueUsername } from "../helpers/users";

const directoryRow = async (username: string) =>
  (await env.DB.prepare("SELECT * FROM directory WHERE username = ?").bind(username).all<Record<string, any>>()).results;

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

/** An entry another core holds, as the register records it (this node's own D1 is its directory). */
async function otherCoreEntry(): Promise<{ username: string; email: string }> {
  const username = uniqueUsername("elsewhere");
  const email = `${username}@Example.com`;
  await run(
    "INSERT INTO directory (username, email, core, status, created) VALUES (?, ?, 'other-core', 'active', ?)",
    username,
    email,
    Date.now() / 1000,
  );
  return { username, email };
}

describe("the directory is the register's, apart from the cores' users", () => {
  it("a registration is recorded in the directory as active on this core", async () => {
    const user = await createUser();
    expect(await directoryRow(user.username)).toMatchObject([{ email: user.email, core: "local", status: "active", reserved_until: null }]);
    expect((await userRow(user.username))?.pending_until).toBeNull();
  });

  it("username and email are unique across cores (409 from the register, nothing created here)", async () => {
    const other = await otherCoreEntry();
    const sameName = await post("/users", registrationBody({ username: other.username, email: `free-${other.email}` }));
    expect(expectError(sameName, 409, "item-already-exists").data).toEqual({ username: other.username });
    const body = registrationBody({ email: other.email.toUpperCase() });
    expect(expectError(await post("/users", body), 409, "item-already-exists").data).toEqual({ email: body.email });
    expect(await userRow(other.username)).toBeNull();
    expect(await userRow(body.username)).toBeNull();
    expect(await directoryRow(body.username)).toEqual([]);
    // Reads go to the directory: the other core's user is known here.
    expect((await get(`/reg/${other.username}/check_username`)).body).toMatchObject({ reserved: true, reason: "taken" });
    expect((await get(`/reg/${encodeURIComponent(other.email)}/uid`)).body).toMatchObject({ uid: other.username });
  });

  it("an email change reaches the directory; one held elsewhere is refused and changes nothing", async () => {
    const user = await createUser();
    const auth = { headers: { Authorization: user.token } };
    const newEmail = `new-${user.email}`;
    expect((await put("/" + user.username + "/account", { email: newEmail }, auth)).status).toBe(200);
    expect((await get(`/reg/${encodeURIComponent(newEmail)}/uid`)).body).toMatchObject({ uid: user.username });
    expectError(await get(`/reg/${encodeURIComponent(user.email)}/uid`), 404, "unknown-email");
    expect((await get(`/reg/${encodeURIComponent(user.email)}/check_email`)).body).toMatchObject({ reserved: false });
    const other = await otherCoreEntry();
    expectError(await put("/" + user.username + "/account", { email: other.email }, auth), 409, "item-already-exists");
    expect((await directoryRow(user.username))[0]?.email).toBe(newEmail);
    expect((await userRow(user.username))?.email).toBe(newEmail);
  });

  it("an account deletion frees its directory entry", async () => {
    const user = await createUser();
    expect((await del(`/users/${user.username}`, { headers: { Authorization: TEST_ADMIN_KEY } })).status).toBe(200);
    expect(await directoryRow(user.username)).toEqual([]);
    expect((await get(`/reg/${user.username}/check_username`)).body).toMatchObject({ reserved: false });
    expectError(await post(`/reg/${user.username}/server`, {}), 404, "unknown-user");
    await createUser({ username: user.username, email: user.email }); // both free again
  });
});

describe("half-registrations (REGISTER_TEST_FAULTS: the confirmation fails, or the core stops before it)", () => {
  it("a failed confirmation leaves nothing: no account, no entry, the name free", async () => {
    const body = registrationBody();
    const res = await post("/users", { ...body, email: `fault-confirm-${body.email}` });
    expectError(res, 503, "api-unavailable");
    expect(await userRow(body.username)).toBeNull();
    expect(await directoryRow(body.username)).toEqual([]);
    expect((await get(`/reg/${body.username}/check_username`)).body).toMatchObject({ reserved: false });
  });

  it("a crash before the confirmation leaves an unusable account, reclaimed by the next registration of the name", async () => {
    const body = registrationBody();
    expectError(await post("/users", { ...body, email: `fault-crash-${body.email}` }), 503, "api-unavailable");
    expect((await userRow(body.username))?.pending_until).toBeGreaterThan(Date.now() / 1000);
    expect(await directoryRow(body.username)).toMatchObject([{ status: "reserved" }]);
    // Not usable: the account does not exist for the API, not even for the token made at its creation.
    expectError(await login(body), 404, "unknown-resource");
    const [access] = await accessRows(body.username);
    expect(access?.token).toBeTruthy();
    expectError(await get(`/${body.username}/account`, { token: access!.token }), 404, "unknown-resource");
    expectError(await post(`/reg/${body.username}/server`, {}), 404, "unknown-user");
    expect((await get(`/reg/${body.username}/check_username`)).body).toMatchObject({ reserved: true });
    // The person tries again (they never got an answer): the half-account gives way.
    const user = await createUser({ username: body.username });
    expect((await login(user)).status).toBe(200);
    expect(await directoryRow(body.username)).toMatchObject([{ status: "active", email: user.email }]);
  });

  it("an expired reservation frees its email for another name, and the half-account holding it is removed", async () => {
    const body = registrationBody();
    const email = `fault-crash-${body.email}`;
    expectError(await post("/users", { ...body, email }), 503, "api-unavailable");
    expectError(await post("/users", registrationBody({ email })), 409, "item-already-exists"); // still reserved
    await run("UPDATE directory SET reserved_until = ? WHERE username = ?", Date.now() / 1000 - 1, body.username);
    await run("UPDATE users SET pending_until = ? WHERE username = ?", Date.now() / 1000 - 1, body.username);
    const next = registrationBody({ email: email.replace("fault-crash-", "Fault-Crash-") });
    expect((await post("/users", next)).status).toBe(201);
    expect(await userRow(body.username)).toBeNull();
    expect(await directoryRow(body.username)).toEqual([]);
  });
});

describe("configuration of cores and the register link", () => {
  const configWith = (vars: Partial<Env>) => parseConfig({ ENVIRONMENT: "local", ...vars } as Env);
  const KEY = "a-register-key-of-24-chars-or-more";

  it("CORES takes {id: url} and {id: {url, region}}; hostings list every core by region", () => {
    const config = configWith({
      CORE_ID: "core-a",
      REGION: "europe",
      CORES: JSON.stringify({ "core-a": "https://a.example.com/", "core-b": { url: "https://b.example.com", region: "america" } }),
    });
    expect(config.cores).toEqual({ "core-a": "https://a.example.com", "core-b": "https://b.example.com" });
    expect(config.coreRegions).toEqual({ "core-a": "europe", "core-b": "america" });
    const regions = (config.hostings as any).regions;
    expect(regions.europe.zones.europe.hostings["core-a"].availableCore).toBe("https://a.example.com/");
    expect(regions.america.zones.america.hostings["core-b"].availableCore).toBe("https://b.example.com/");
    expect(() => configWith({ CORES: JSON.stringify({ Bad_Id: "https://x.example.com" }) })).toThrow();
  });

  it("a core needs REGISTER_KEY and a way to the register; a register needs no core entry of its own", () => {
    const cores = JSON.stringify({ "core-a": "https://a.example.com" });
    const core = { ROLE: "core", CORE_ID: "core-a", CORES: cores };
    expect(() => configWith(core)).toThrow(/REGISTER_KEY/);
    expect(() => configWith({ ...core, REGISTER_KEY: KEY })).toThrow(/REGISTER_URL/);
    expect(() => configWith({ ...core, REGISTER_KEY: "too-short", REGISTER_URL: "https://reg.example.com" })).toThrow();
    expect(configWith({ ...core, REGISTER_KEY: KEY, REGISTER_URL: "https://reg.example.com/" }).register).toEqual({
      url: "https://reg.example.com",
      key: KEY,
    });
    expect(configWith({ ...core, REGISTER_KEY: KEY, REGISTER: { fetch } as unknown as Fetcher }).register.url).toBeNull();
    expect(configWith({ ROLE: "register", CORES: cores }).cores).toEqual({ "core-a": "https://a.example.com" });
  });

  it("the register's internal routes are not served without a REGISTER_KEY (this node has none)", async () => {
    expectError(await post("/reg/system/directory/reserve", { username: "someone-x", email: "s@example.com", core: "local" }), 404, "unknown-resource");
  });
});
