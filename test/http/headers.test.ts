/**
 * Answers carrying personal data are never cached and never type-sniffed;
 * CORS lets any page call the API with a token it holds, never with the
 * browser's credentials, and keeps the admin API out of cross-origin reach.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, get, post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { createUser } from "../helpers/users";

const ORIGIN = "https://evil.example";

function expectPrivate(headers: Headers, what: string) {
  expect(headers.get("Cache-Control"), what).toBe("no-store");
  expect(headers.get("X-Content-Type-Options"), what).toBe("nosniff");
}

describe("response headers", () => {
  it("every API answer, success, error, streamed or batch, is no-store and nosniff", async () => {
    const user = await createUser();
    await createStream(user, { id: "s1", name: "S1" });
    const { username, token } = user;
    expectPrivate((await get(`/${username}/account`, { token })).headers, "account.get");
    expectPrivate((await get(`/${username}/events`, { token })).headers, "streamed events.get");
    expectPrivate((await post(`/${username}/`, [{ method: "streams.get", params: {} }], { token })).headers, "batch");
    expectPrivate((await get(`/${username}/account`, { token: "wrong" })).headers, "error");
    expectPrivate((await get("/reg/service/info")).headers, "service info");
    expectPrivate((await get("/no-such-user-z9/events")).headers, "unknown path");
  });

  it("CORS: any origin, no credentials", async () => {
    const user = await createUser();
    const res = await SELF.fetch(`${BASE}/${user.username}/account`, { headers: { Origin: ORIGIN, Authorization: user.token } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const preflight = await SELF.fetch(`${BASE}/${user.username}/events`, {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    expect(preflight.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });

  it("the admin API answers no CORS headers, preflight included", async () => {
    const res = await SELF.fetch(`${BASE}/reg/admin/users`, { headers: { Origin: ORIGIN } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const preflight = await SELF.fetch(`${BASE}/reg/admin/users`, {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
    });
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toBeNull();
  });
});
