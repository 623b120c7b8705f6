/** DNS records of the register (`/reg/records`, admin key): upsert, list, delete, refusals. */
import { describe, expect, it } from "vitest";
import { del, expectError, get, post, request, TEST_ADMIN_KEY } from "../helpers/api";
import { createUser } from "../helpers/users";

const ADMIN = { headers: { Authorization: TEST_ADMIN_KEY } };

const listed = async () => {
  const res = await get("/reg/records", ADMIN);
  expect(res.status).toBe(200);
  return res.body.records as { subdomain: string; records: Record<string, unknown>; created: number; modified: number }[];
};

describe("POST /reg/records, GET /reg/records, DELETE /reg/records/{subdomain}", () => {
  it("upserts a record as the reference answers, and lists it", async () => {
    const res = await post("/reg/records", { subdomain: "_acme-challenge", records: { txt: ["validation-token-123"] } }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subdomain: "_acme-challenge", records: { txt: ["validation-token-123"] }, status: "ok" });
    const [entry] = await listed();
    expect(entry).toMatchObject({ subdomain: "_acme-challenge", records: { txt: ["validation-token-123"] } });
    expect(entry!.modified).toBeGreaterThanOrEqual(entry!.created);
  });

  it("overwrites a subdomain's records whole", async () => {
    await post("/reg/records", { subdomain: "www", records: { a: ["192.0.2.1", "192.0.2.2"], aaaa: "2001:db8::1" } }, ADMIN);
    const res = await post("/reg/records", { subdomain: "www", records: { cname: "Pryv.Example.COM." } }, ADMIN);
    expect(res.body.records).toEqual({ cname: "pryv.example.com" });
    expect((await listed()).find((r) => r.subdomain === "www")!.records).toEqual({ cname: "pryv.example.com" });
  });

  it("takes one value or a list, folds case, allows `_` and several labels", async () => {
    const res = await post("/reg/records", { subdomain: "_CF-Custom-Hostname.Shop", records: { txt: "ownership 1f2e" } }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subdomain: "_cf-custom-hostname.shop", records: { txt: ["ownership 1f2e"] } });
    const res2 = await post("/reg/records", { subdomain: "mail", records: { a: "198.51.100.7" } }, ADMIN);
    expect(res2.body.records).toEqual({ a: ["198.51.100.7"] });
    expect((await listed()).map((r) => r.subdomain)).toEqual(["_acme-challenge", "_cf-custom-hostname.shop", "mail", "www"]);
  });

  it("deletes a record, then answers 404 for it", async () => {
    const res = await del("/reg/records/_acme-challenge", ADMIN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ subdomain: "_acme-challenge", status: "deleted" });
    expect((await listed()).map((r) => r.subdomain)).not.toContain("_acme-challenge");
    expectError(await del("/reg/records/_acme-challenge", ADMIN), 404, "unknown-resource");
    expectError(await del("/reg/records/never-existed", ADMIN), 404, "unknown-resource");
  });

  it("refuses bad input with invalid-parameters (400), storing nothing", async () => {
    const before = await listed();
    const user = await createUser();
    const bad: unknown[] = [
      {},
      { records: { txt: ["token"] } },
      { subdomain: "x" },
      { subdomain: "x", records: {} },
      { subdomain: "x", records: null },
      { subdomain: "x", records: "txt" },
      { subdomain: "x", records: { mx: ["mail.example.com"] } },
      { subdomain: "x", records: { a: ["999.1.1.1"] } },
      { subdomain: "x", records: { a: [] } },
      { subdomain: "x", records: { a: Array.from({ length: 17 }, (_, i) => `192.0.2.${i}`) } },
      { subdomain: "x", records: { aaaa: ["192.0.2.1"] } },
      { subdomain: "x", records: { cname: "a.example.com", txt: ["t"] } },
      { subdomain: "x", records: { cname: "not a host" } },
      { subdomain: "x", records: { txt: ["x".repeat(256)] } },
      { subdomain: "x", records: { txt: ["caf\u00e9"] } },
      { subdomain: "x", records: { txt: [""] } },
      { subdomain: "x", records: { txt: [1] } },
      ...["", "a b", "-lead", "trail-", "a..b", ".a", "a.", "x".repeat(64), `${"abc.".repeat(64)}x`, "a/b", "a%00"].map((subdomain) => ({
        subdomain,
        records: { txt: ["t"] },
      })),
      ...["reg", "access", "MFA"].map((subdomain) => ({ subdomain, records: { txt: ["t"] } })),
      { subdomain: 42, records: { txt: ["t"] } },
      [{ subdomain: "x", records: { txt: ["t"] } }],
    ];
    for (const body of bad) {
      expectError(await post("/reg/records", body, ADMIN), 400, "invalid-parameters");
    }
    // An account's host name (`{username}.{domain}` in subdomain mode) is the account's.
    const clash = expectError(await post("/reg/records", { subdomain: user.username, records: { txt: ["t"] } }, ADMIN), 400, "invalid-operation");
    expect(clash.data).toEqual({ subdomain: user.username });
    const malformed = await post("/reg/records", undefined, { rawBody: '{"subdomain": ', headers: { ...ADMIN.headers, "Content-Type": "application/json" } });
    expectError(malformed, 400, "invalid-request-structure");
    expectError(await del(`/reg/records/${"x".repeat(64)}`, ADMIN), 400, "invalid-parameters");
    expectError(await del("/reg/records/a%20b", ADMIN), 400, "invalid-parameters");
    expect(await listed()).toEqual(before);
  });

  it("refuses a missing (401) or wrong (403) key on every route, changing nothing, without CORS", async () => {
    const before = await listed();
    const origin = { Origin: "https://evil.example" };
    for (const [method, path, body] of [
      ["GET", "/reg/records", undefined],
      ["POST", "/reg/records", { subdomain: "evil", records: { txt: ["t"] } }],
      ["DELETE", "/reg/records/mail", undefined],
    ] as const) {
      const missing = await request(method, path, { body, headers: origin });
      expectError(missing, 401, "invalid-access-token");
      expect(missing.headers.get("Access-Control-Allow-Origin")).toBeNull();
      const wrong = await request(method, path, { body, headers: { ...origin, Authorization: "not-the-admin-key-0123456789" } });
      expectError(wrong, 403, "forbidden");
      expect(wrong.headers.get("Access-Control-Allow-Origin")).toBeNull();
    }
    const preflight = await request("OPTIONS", "/reg/records", { headers: { ...origin, "Access-Control-Request-Method": "POST" } });
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(await listed()).toEqual(before);
  });
});
