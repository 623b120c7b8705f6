/** The admin trail (`GET /reg/admin/trail`): every admin call recorded — who (a key fingerprint), what, when, from where. */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, del, expectEnvelope, expectError, get, post, TEST_ADMIN_KEY } from "../helpers/api";
import { createUser } from "../helpers/users";

const ADMIN = { headers: { Authorization: TEST_ADMIN_KEY } };
const WRONG_KEY = "a-wrong-admin-key-0123456789abcdef";

const fingerprint = async (key: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key))), (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 8);

/** A call as the edge sees it: from this address, country and network. */
async function callFrom(method: string, path: string, key: string | null, body?: unknown) {
  const headers: Record<string, string> = { "CF-Connecting-IP": "203.0.113.9" };
  if (key) headers.Authorization = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await SELF.fetch(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cf: { country: "CH", asn: 13335, asOrganization: "Example Net" },
  } as RequestInit);
  const json = (await res.json()) as any;
  expectEnvelope(res.status, json);
  return { status: res.status, body: json };
}

const storedCount = async () => (await env.DB.prepare("SELECT count(*) AS n FROM admin_trail").first<{ n: number }>())!.n;

async function latest(limit = 1) {
  const res = await get("/reg/admin/trail", { ...ADMIN, query: { limit } });
  expect(res.status).toBe(200);
  return res.body.trail as any[];
}

describe("admin trail", () => {
  it("records an admin call: key fingerprint (never the key), method, outcome, when, from where", async () => {
    const before = Date.now() / 1000;
    expect((await callFrom("GET", "/reg/admin/users", TEST_ADMIN_KEY)).status).toBe(200);
    const [entry] = await latest();
    expect(entry).toEqual({
      time: expect.any(Number),
      keyFingerprint: await fingerprint(TEST_ADMIN_KEY),
      admitted: true,
      method: "admin.listUsers",
      outcome: "ok",
      status: 200,
      target: null,
      ip: "203.0.113.9",
      country: "CH",
      asn: 13335,
    });
    expect(entry.time).toBeGreaterThanOrEqual(before - 1);
    expect(entry.time).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it("records refused calls too: a wrong key (its fingerprint) and a missing one (none)", async () => {
    expect((await callFrom("POST", "/reg/records", WRONG_KEY, { subdomain: "x", records: { txt: ["t"] } })).status).toBe(403);
    expect((await callFrom("GET", "/reg/admin/invitations", null)).status).toBe(401);
    const [missing, wrong] = await latest(2);
    expect(wrong).toMatchObject({ method: "admin.setDnsRecord", outcome: "forbidden", status: 403, admitted: false, target: "x" });
    expect(wrong.keyFingerprint).toBe(await fingerprint(WRONG_KEY));
    expect(missing).toMatchObject({ method: "admin.listInvitations", outcome: "invalid-access-token", status: 401, admitted: false, keyFingerprint: null });
  });

  it("names the target (account or subdomain) and the outcome of a refused parameter", async () => {
    const user = await createUser();
    await get(`/reg/admin/users/${user.username}`, ADMIN);
    await post("/reg/records", { subdomain: "www", records: { a: ["192.0.2.1"] } }, ADMIN);
    await del("/reg/records/none-here", ADMIN);
    await get("/reg/admin/invitations/post", { ...ADMIN, query: { count: 0 } });
    const [invalid, unknown, set, read] = await latest(4);
    expect(read).toMatchObject({ method: "admin.getUser", target: user.username, outcome: "ok" });
    expect(set).toMatchObject({ method: "admin.setDnsRecord", target: "www", outcome: "ok", status: 200 });
    expect(unknown).toMatchObject({ method: "admin.deleteDnsRecord", target: "none-here", outcome: "unknown-resource", status: 404 });
    expect(invalid).toMatchObject({ method: "admin.createInvitations", outcome: "invalid-parameters-format", status: 400, admitted: true });
  });

  it("records an account deletion made with the admin key, not one made with the personal token, nor public calls", async () => {
    const [byAdmin, bySelf] = [await createUser(), await createUser()];
    const count = await storedCount();
    expect((await del(`/users/${bySelf.username}`, { token: bySelf.token })).status).toBe(200);
    await get("/reg/service/info");
    await get(`/reg/${byAdmin.username}/check_username`);
    expect(await storedCount()).toBe(count);
    expect((await del(`/users/${byAdmin.username}`, ADMIN)).status).toBe(200);
    expect(await storedCount()).toBe(count + 1);
    const [entry] = await latest();
    expect(entry).toMatchObject({ method: "auth.delete", target: byAdmin.username, outcome: "ok", admitted: true });
  });

  it("reads with limit and since, newest first; refuses bad parameters and a wrong key", async () => {
    const all = await latest(1000);
    expect(all.length).toBeGreaterThan(5);
    const times = all.map((e) => e.time);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(await latest(2)).toHaveLength(2);
    const since = (await get("/reg/admin/trail", { ...ADMIN, query: { since: Date.now() / 1000 + 60 } })).body.trail;
    expect(since).toEqual([]);
    const recent = (await get("/reg/admin/trail", { ...ADMIN, query: { since: all[2].time, limit: 1000 } })).body.trail;
    expect(recent.length).toBeGreaterThanOrEqual(3);
    expect(recent.every((e: { time: number }) => e.time >= all[2].time)).toBe(true);
    for (const query of [{ limit: 0 }, { limit: 1001 }, { limit: "x" }, { since: "yesterday" }, { since: -1 }] as Record<string, string | number>[]) {
      expectError(await get("/reg/admin/trail", { ...ADMIN, query }), 400, "invalid-parameters-format");
    }
    expectError(await get("/reg/admin/trail", { headers: { Authorization: WRONG_KEY } }), 403, "forbidden");
    expectError(await get("/reg/admin/trail"), 401, "invalid-access-token");
  });

  it("stores nothing secret: no key, no token, in any column", async () => {
    const user = await createUser();
    await get("/reg/admin/users", { headers: { Authorization: user.token } });
    await get("/reg/admin/users", { query: { auth: TEST_ADMIN_KEY } });
    const { results } = await env.DB.prepare("SELECT * FROM admin_trail").all();
    const stored = JSON.stringify(results);
    for (const secret of [TEST_ADMIN_KEY, WRONG_KEY, user.token, user.password]) expect(stored).not.toContain(secret);
    expect(stored).toContain(await fingerprint(user.token));
  });

  it("prunes entries past the retention as new ones are written", async () => {
    const old = Date.now() / 1000 - 181 * 24 * 3600;
    await env.DB.prepare("INSERT INTO admin_trail (time, admitted, method, outcome, status) VALUES (?, 0, 'admin.listUsers', 'ok', 200)").bind(old).run();
    await get("/reg/admin/users", ADMIN);
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM admin_trail WHERE time = ?").bind(old).all<{ n: number }>();
    expect(results[0]!.n).toBe(0);
  });
});
