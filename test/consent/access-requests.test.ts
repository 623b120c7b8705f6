/** `/reg/access`: creating, polling and settling access requests (open mode, no registered apps). */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readAccessRequest, writeAccessRequest } from "../../src/consent/access-requests.store";
import {
  askBody,
  createAccessRequest,
  createAppAccess,
  poll,
  settle,
  stateCall,
  storedRequests,
  storedText,
} from "../helpers/access-requests";
import { BASE, del, expectError, get, post, request } from "../helpers/api";
import { createUser } from "../helpers/users";

const APP = "consent-test-app";
const now = () => Math.floor(Date.now() / 1000);

/** Runs `call`, expects a 4xx with `id`, and checks KV holds the same requests as before. */
async function expectRefusedAndNothingStored(call: () => Promise<{ status: number; body: any }>, status: number, id: string) {
  const before = await storedRequests();
  const res = await call();
  const error = expectError(res as any, status, id);
  expect([...(await storedRequests()).keys()]).toEqual([...before.keys()]);
  return error;
}

describe("POST /reg/access (create)", () => {
  it("answers 201 NEED_SIGNIN with a key, a usable authUrl and poll URL", async () => {
    const res = await post("/reg/access", askBody({ languageCode: "fr", returnURL: "https://app.example.com/back?", oauthState: "st-1" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "NEED_SIGNIN", poll_rate_ms: 1000 });
    const { key, authUrl, poll: pollUrl } = res.body;
    expect(key).toMatch(/^[0-9a-z]{32}$/); // ~165 random bits
    expect(pollUrl).toBe(`${BASE}/reg/access/${key}`);
    expect(typeof authUrl).toBe("string");
    const page = new URL(authUrl);
    expect(`${page.origin}${page.pathname}`).toBe(`${BASE}/reg/auth`);
    expect(Object.fromEntries(page.searchParams)).toEqual({
      lang: "fr",
      key,
      requestingAppId: APP,
      poll: pollUrl,
      poll_rate_ms: "1000",
      serviceInfo: `${BASE}/reg/service/info`,
      returnURL: "https://app.example.com/back?",
      oauthState: "st-1",
    });
    const polled = await poll(key);
    expect(polled.status).toBe(201);
    expect(polled.body.status).toBe("NEED_SIGNIN");
  });

  it("stores the request with the configured TTL (1 h)", async () => {
    const { key } = await createAccessRequest();
    const stored = await readAccessRequest(env, key);
    expect(stored!.expires - stored!.created).toBe(3600);
    const expiration = (await storedRequests()).get(`access-request:${key}`);
    expect(Math.abs(expiration! - (now() + 3600))).toBeLessThan(5);
  });

  it("accepts the trailing-slash form the client posts to (service info `access`)", async () => {
    const info = await get("/reg/service/info");
    expect(info.body.access).toBe(`${BASE}/reg/access/`);
    const res = await post("/reg/access/", askBody());
    expect(res.status).toBe(201);
    expect((await poll(res.body.key)).body.status).toBe("NEED_SIGNIN");
    expect((await stateCall("GET", `/reg/access/${res.body.key}/`)).body.status).toBe("NEED_SIGNIN");
  });

  it("takes lib-js' popup form (returnURL false) and ignores fields it does not know", async () => {
    const { key } = await createAccessRequest({ returnURL: false, somethingElse: { x: 1 } });
    const stored = await readAccessRequest(env, key);
    expect(stored!.returnURL).toBeNull();
    expect(JSON.stringify(stored)).not.toContain("somethingElse");
  });

  it("shows the pending request's details to the auth page (poll while NEED_SIGNIN)", async () => {
    const { key, authUrl } = await createAccessRequest({
      languageCode: "de",
      returnURL: "https://app.example.com/done#",
      clientData: { app: { color: "blue" } },
      deviceName: "Phone",
      expireAfter: 3600,
      referer: "campaign-7",
      oauthState: "xyz",
    });
    const res = await poll(key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: "NEED_SIGNIN",
      key,
      requestingAppId: APP,
      requestedPermissions: [{ streamId: "diary", level: "read", defaultName: "Diary" }],
      lang: "de",
      returnURL: "https://app.example.com/done#",
      clientData: { app: { color: "blue" } },
      deviceName: "Phone",
      expireAfter: 3600,
      referer: "campaign-7",
      oauthState: "xyz",
      poll: `${BASE}/reg/access/${key}`,
      authUrl,
      poll_rate_ms: 1000,
      serviceInfo: { api: `${BASE}/{username}/`, register: `${BASE}/reg/`, access: `${BASE}/reg/access/` },
      verifiedApp: null, // no registered apps in this configuration
    });
    expect(res.body.expires).toBeGreaterThan(now());
    expect(res.body.token).toBeUndefined();
  });

  it("uses a caller's authUrl the operator trusts, with the flow's parameters set (not appended)", async () => {
    const { key, authUrl } = await createAccessRequest({ authUrl: `${BASE}/reg/auth?theme=dark&key=someone-elses` });
    const page = new URL(authUrl);
    expect(page.searchParams.get("theme")).toBe("dark");
    expect(page.searchParams.getAll("key")).toEqual([key]);
  });

  const refusedBodies: [string, Record<string, unknown>][] = [
    ["no requestingAppId", { requestingAppId: undefined }],
    ["an empty requestingAppId", { requestingAppId: "" }],
    ["a too long requestingAppId", { requestingAppId: "a".repeat(300) }],
    ["no requestedPermissions", { requestedPermissions: undefined }],
    ["empty requestedPermissions", { requestedPermissions: [] }],
    ["a permission with an unknown level", { requestedPermissions: [{ streamId: "diary", level: "owner" }] }],
    ["a permission without streamId", { requestedPermissions: [{ level: "read" }] }],
    ["requestedPermissions not an array", { requestedPermissions: { streamId: "diary", level: "read" } }],
    ["a returnURL that is not a URL", { returnURL: "not a url" }],
    ["a javascript: returnURL", { returnURL: "javascript:alert(1)" }],
    ["a returnURL true", { returnURL: true }],
    ["a bad languageCode", { languageCode: "<script>" }],
    ["clientData not an object", { clientData: "text" }],
    ["oversized clientData", { clientData: { blob: "x".repeat(1024 * 1024) } }],
    ["a negative expireAfter", { expireAfter: -1 }],
    ["an untrusted authUrl", { authUrl: "https://evil.example.com/reg/auth" }],
    ["an authUrl extending a trusted one", { authUrl: `${BASE}/reg/auth-evil` }],
    ["an authUrl with credentials", { authUrl: "http://user:pw@127.0.0.1:8787/reg/auth" }],
    ["an authUrl that is not http(s)", { authUrl: "javascript:alert(1)//127.0.0.1:8787/reg/auth" }],
  ];
  for (const [what, overrides] of refusedBodies) {
    it(`refuses ${what} (400 invalid-parameters, nothing stored)`, async () => {
      const error = await expectRefusedAndNothingStored(() => post("/reg/access", askBody(overrides)), 400, "invalid-parameters");
      expect(error.message.length).toBeGreaterThan(10);
    });
  }

  it("names the faulty field", async () => {
    const missing = await post("/reg/access", askBody({ requestingAppId: undefined }));
    expect(expectError(missing, 400, "invalid-parameters").message).toMatch(/requestingAppId/);
    const untrusted = await post("/reg/access", askBody({ authUrl: "https://evil.example.com/auth" }));
    expect(expectError(untrusted, 400, "invalid-parameters").message).toMatch(/trustedAuthUrls/);
  });

  it("refuses bodies that are not an object, and malformed JSON, storing nothing", async () => {
    for (const rawBody of ["[]", "42", '"text"', "null"]) {
      await expectRefusedAndNothingStored(
        () => request("POST", "/reg/access", { rawBody, headers: { "Content-Type": "application/json" } }),
        400,
        "invalid-parameters",
      );
    }
    await expectRefusedAndNothingStored(
      () => request("POST", "/reg/access", { rawBody: "{not json", headers: { "Content-Type": "application/json" } }),
      400,
      "invalid-request-structure",
    );
  });
});

describe("GET /reg/access/{key} (poll) of unknown keys", () => {
  for (const key of ["0".repeat(32), "nonexistentkey00", "UPPERCASE".repeat(4), "%00", "a".repeat(300)]) {
    it(`answers 400 unknown-access-key for ${key.slice(0, 20)}`, async () => {
      expectError(await poll(key), 400, "unknown-access-key");
    });
  }

  it("answers unknown-access-key once a request expired, to polls and updates", async () => {
    const { key } = await createAccessRequest();
    const stored = (await readAccessRequest(env, key))!;
    await writeAccessRequest(env, { ...stored, expires: now() - 1 });
    expectError(await poll(key), 400, "unknown-access-key");
    expectError(await settle(key, { status: "REFUSED" }), 400, "unknown-access-key");
  });
});

describe("POST /reg/access/{key} (settling) and the polls after", () => {
  it("NEED_SIGNIN → ACCEPTED: the first poll gets the token, later ones only the status", async () => {
    const user = await createUser();
    const { key } = await createAccessRequest();
    const access = await createAppAccess(user, APP);
    const accepted = await settle(key, {
      status: "ACCEPTED",
      username: user.username,
      token: access.token,
      apiEndpoint: "https://evil.example.com/", // never trusted: computed by the service
    });
    const endpoint = `http://${access.token}@127.0.0.1:8787/${user.username}/`;
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: "ACCEPTED", username: user.username, token: access.token, apiEndpoint: endpoint });
    // Waiting for its poller, the token lives minutes, not the request's hour.
    expect((await storedRequests()).get(`access-request:${key}`)!).toBeLessThanOrEqual(now() + 300 + 2);

    const first = await poll(key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "ACCEPTED", username: user.username, token: access.token, apiEndpoint: endpoint });

    const second = await poll(key);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: "ACCEPTED", username: user.username, apiEndpoint: `${BASE}/${user.username}/` });
    expect(second.body.token).toBeUndefined();
    expect(JSON.stringify(second.body)).not.toContain(access.token);
    // The entry no longer holds the token, and goes within KV's shortest TTL.
    expect(await storedText(key)).not.toContain(access.token);
    expect((await storedRequests()).get(`access-request:${key}`)!).toBeLessThanOrEqual(now() + 60 + 2);

    // The token works.
    expect((await get(`/${user.username}/access-info`, { token: access.token })).body.name).toBe(APP);
  });

  it("NEED_SIGNIN → REFUSED: 403 with the reason, for the updater and the poller", async () => {
    const { key } = await createAccessRequest();
    const refused = await settle(key, { status: "REFUSED", reasonId: "REFUSED_BY_USER", message: "No thanks", returnURL: "https://x.example/" });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ status: "REFUSED", reasonId: "REFUSED_BY_USER", message: "No thanks" });
    const polled = await poll(key);
    expect(polled.status).toBe(403);
    expect(polled.body).toMatchObject({ status: "REFUSED", reasonId: "REFUSED_BY_USER", message: "No thanks" });
    expect(polled.body.error).toBeUndefined();
  });

  it("NEED_SIGNIN → REFUSED without a reason gets the default one", async () => {
    const { key } = await createAccessRequest();
    const res = await settle(key, { status: "REFUSED" });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: "REFUSED", reasonId: "REFUSED_BY_USER", message: expect.any(String) });
  });

  it("NEED_SIGNIN → ERROR: 403 with the reason", async () => {
    const { key } = await createAccessRequest();
    expect((await settle(key, { status: "ERROR", reasonId: "INTERNAL", message: "Broken" })).status).toBe(403);
    const polled = await poll(key);
    expect(polled.status).toBe(403);
    expect(polled.body).toMatchObject({ status: "ERROR", reasonId: "INTERNAL", message: "Broken" });
  });

  it("NEED_SIGNIN → REDIRECTED: 301 with the new poll URL", async () => {
    const { key } = await createAccessRequest();
    const target = "https://core-2.example.com/reg/access/abc";
    const res = await settle(key, { status: "REDIRECTED", redirectUrl: target });
    expect(res.status).toBe(301);
    expect(res.body).toMatchObject({ status: "REDIRECTED", redirectUrl: target, poll: target });
    const polled = await poll(key);
    expect(polled.status).toBe(301);
    expect(polled.body).toMatchObject({ status: "REDIRECTED", redirectUrl: target, poll: target });
  });

  it("refuses to settle a request twice (unknown-access-key), keeping the first outcome", async () => {
    const { key } = await createAccessRequest();
    await settle(key, { status: "REFUSED" });
    for (const body of [{ status: "ERROR" }, { status: "REFUSED" }, { status: "REDIRECTED", redirectUrl: "https://a.example/" }]) {
      expectError(await settle(key, body), 400, "unknown-access-key");
    }
    expect((await poll(key)).body.status).toBe("REFUSED");
  });

  it("refuses updates of unknown keys", async () => {
    expectError(await settle("0".repeat(32), { status: "REFUSED" }), 400, "unknown-access-key");
    expectError(await settle("nonexistentkey00", { status: "REFUSED" }), 400, "unknown-access-key");
  });

  const badUpdates: [string, Record<string, unknown>][] = [
    ["an invalid status", { status: "INVALID" }],
    ["NEED_SIGNIN as status", { status: "NEED_SIGNIN" }],
    ["no status", {}],
    ["ACCEPTED without token", { status: "ACCEPTED", username: "someone" }],
    ["ACCEPTED without username", { status: "ACCEPTED", token: "sometoken" }],
    ["REDIRECTED without redirectUrl", { status: "REDIRECTED" }],
    ["REDIRECTED to a non-http URL", { status: "REDIRECTED", redirectUrl: "javascript:alert(1)" }],
    ["a reasonId that is not text", { status: "REFUSED", reasonId: { x: 1 } }],
  ];
  for (const [what, body] of badUpdates) {
    it(`refuses ${what} (400 invalid-parameters), the request staying pending`, async () => {
      const { key } = await createAccessRequest();
      const before = await storedText(key);
      expectError(await settle(key, body), 400, "invalid-parameters");
      expect(await storedText(key)).toBe(before);
      expect((await poll(key)).body.status).toBe("NEED_SIGNIN");
    });
  }

  it("refuses an update body that is not an object", async () => {
    const { key } = await createAccessRequest();
    const res = await request("POST", `/reg/access/${key}`, { rawBody: "[]", headers: { "Content-Type": "application/json" } });
    expectError(res, 400, "invalid-parameters");
  });

  describe("ACCEPTED only with a live app access of that account, made for this app", () => {
    async function expectNotAccepted(body: Record<string, unknown>, message: RegExp) {
      const { key } = await createAccessRequest();
      const before = await storedText(key);
      const error = expectError(await settle(key, { status: "ACCEPTED", ...body }), 400, "invalid-parameters");
      expect(error.message).toMatch(message);
      expect(await storedText(key)).toBe(before);
      expect((await poll(key)).body.status).toBe("NEED_SIGNIN");
    }

    it("refuses another account's token", async () => {
      const [alice, bob] = [await createUser(), await createUser()];
      const bobs = await createAppAccess(bob, APP);
      await expectNotAccepted({ username: alice.username, token: bobs.token }, /not a live access/);
    });

    it("refuses a deleted access's token", async () => {
      const user = await createUser();
      const access = await createAppAccess(user, APP);
      expect((await del(`/${user.username}/accesses/${access.id}`, { token: user.token })).status).toBe(200);
      await expectNotAccepted({ username: user.username, token: access.token }, /not a live access/);
    });

    it("refuses an unknown token and an unknown account", async () => {
      const user = await createUser();
      await expectNotAccepted({ username: user.username, token: "nosuchtoken000000000000000000000" }, /not a live access/);
      await expectNotAccepted({ username: "no-such-user-xyz", token: user.token }, /not a live access/);
    });

    it("refuses a personal token and another app's access", async () => {
      const user = await createUser();
      await expectNotAccepted({ username: user.username, token: user.token }, /not an app access/);
      const other = await createAppAccess(user, "another-app");
      await expectNotAccepted({ username: user.username, token: other.token }, /not an app access/);
    });
  });
});
