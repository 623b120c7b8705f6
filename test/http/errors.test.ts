import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, expectError, get, post, request } from "../helpers/api";
import { accountSnapshot } from "../helpers/db";
import { createUser } from "../helpers/users";

describe("HTTP-level errors", () => {
  it("unknown paths: under an unknown account → Unknown user; under a known one → unknown-resource", async () => {
    const user = await createUser();
    expect(expectError(await get("/no-such-user-q1/whatever"), 404, "unknown-resource").message).toBe('Unknown user "no-such-user-q1"');
    expectError(await get(`/${user.username}/no-such-route`, { token: user.token }), 404, "unknown-resource");
    expectError(await get("/reg/no/such/route"), 404, "unknown-resource");
    for (const path of ["/%E0%A4%A/x", "/%/x", `/${user.username}/%ZZ`, "/reg/%/check_username"]) {
      expect((await SELF.fetch(`${BASE}${path}`)).status, path).toBeLessThan(500);
    }
  });

  it("malformed JSON → invalid-request-structure; a non-JSON content type → 415", async () => {
    const user = await createUser();
    const path = `/${user.username}/profile/public`;
    const before = await accountSnapshot(user.username);
    expectError(
      await request("PUT", path, { token: user.token, rawBody: '{"a":', headers: { "Content-Type": "application/json" } }),
      400,
      "invalid-request-structure",
    );
    expectError(
      await request("PUT", path, { token: user.token, rawBody: "a=1", headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
      415,
      "unsupported-content-type",
    );
    expect(await accountSnapshot(user.username)).toEqual(before);
  });

  it("an oversized body → 413 before anything is stored (declared or streamed)", async () => {
    const user = await createUser();
    const path = `/${user.username}/profile/public`;
    const big = JSON.stringify({ blob: "x".repeat(10 * 1024 * 1024 + 10) });
    const before = await accountSnapshot(user.username);
    const res = await request("PUT", path, { token: user.token, rawBody: big, headers: { "Content-Type": "application/json" } });
    expect(expectError(res, 413, "invalid-request-structure").data).toEqual({ limit: 10 * 1024 * 1024 });
    // Same without Content-Length (chunked): the limit is enforced while streaming.
    const stream = new ReadableStream({
      start(controller) {
        const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
        controller.enqueue(new TextEncoder().encode('{"blob":"'));
        for (let i = 0; i < 11; i++) controller.enqueue(chunk);
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const chunked = await SELF.fetch(`${BASE}${path}`, {
      method: "PUT",
      headers: { Authorization: user.token, "Content-Type": "application/json" },
      body: stream,
    });
    expect(chunked.status).toBe(413);
    expect(await accountSnapshot(user.username)).toEqual(before);
  });

  it("tokens: Authorization header, Basic (token as user name), ?auth= query", async () => {
    const user = await createUser();
    const path = `/${user.username}/account`;
    expect((await get(path, { headers: { Authorization: user.token } })).status).toBe(200);
    expect((await get(path, { headers: { Authorization: `Basic ${btoa(`${user.token}:`)}` } })).status).toBe(200);
    expect((await get(path, { query: { auth: user.token } })).status).toBe(200);
    const missing = await get(path);
    expect(expectError(missing, 401, "invalid-access-token").message).toMatch(/missing/);
    expect(expectError(await get(path, { token: "unknown-token" }), 403, "invalid-access-token").message).toBe(
      "Cannot find access from token.",
    );
  });

  it("a token of one account does not open another", async () => {
    const alice = await createUser();
    const bob = await createUser();
    expectError(await get(`/${bob.username}/account`, { token: alice.token }), 403, "invalid-access-token");
  });

  it("answers CORS preflights for any origin (without credentials: see headers.test.ts)", async () => {
    const res = await SELF.fetch(`${BASE}/reg/service/info`, {
      method: "OPTIONS",
      headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    const simple = await get("/reg/service/info", { headers: { Origin: "https://app.example.com" } });
    expect(simple.headers.get("Access-Control-Expose-Headers")).toContain("API-Version");
  });

  it("a registration attempt with a GET is an unknown resource, not a crash", async () => {
    expectError(await get("/users"), 404, "unknown-resource");
    expectError(await post("/reg/hostings", {}), 404, "unknown-resource");
  });
});
