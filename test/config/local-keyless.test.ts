/** ENVIRONMENT=local without ADMIN_KEY: no built-in development key, whatever the request claims about its origin. */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectEnvelope } from "../helpers/api";
import { userRow } from "../helpers/db";
import { createUser } from "../helpers/users";

describe("admin API on a local node without ADMIN_KEY", () => {
  it.each([
    ["a loopback URL (what a forged Host becomes)", "http://localhost:8787/reg/admin/users", {}],
    ["a loopback address URL", "http://127.0.0.1:8787/reg/admin/users", {}],
    ["a forged Host header", "http://pryv.example.org/reg/admin/users", { Host: "localhost" }],
    ["a forged X-Forwarded-For", "http://pryv.example.org/reg/admin/users", { "X-Forwarded-For": "127.0.0.1" }],
    ["a forged CF-Connecting-IP", "http://pryv.example.org/reg/admin/users", { "CF-Connecting-IP": "127.0.0.1" }],
    ["a forged Forwarded", "http://pryv.example.org/reg/admin/users", { Forwarded: "for=127.0.0.1;host=localhost" }],
  ])("is disabled for the former development key, with %s", async (_name, address, headers) => {
    const res = await SELF.fetch(address, { headers: { Authorization: "dev-admin-key", ...headers } });
    const body = (await res.json()) as any;
    expectEnvelope(res.status, body);
    expect(res.status).toBe(503);
    expect(body.error.id).toBe("api-unavailable");
    expect(body.error.message).toMatch(/ADMIN_KEY.*\.dev\.vars/);
  });

  it("does not delete accounts either", async () => {
    const user = await createUser();
    const res = await SELF.fetch(`http://localhost:8787/users/${user.username}`, { method: "DELETE", headers: { Authorization: "dev-admin-key" } });
    expect(res.status).toBe(403);
    expect(await userRow(user.username)).not.toBeNull();
  });
});

describe("MFA on a node without SECRETS_KEY", () => {
  it("cannot be activated: there is no key to encrypt the secret with", async () => {
    const user = await createUser();
    const res = await SELF.fetch(`http://127.0.0.1:8787/${user.username}/mfa/activate`, {
      method: "POST",
      headers: { Authorization: user.token, "Content-Type": "application/json" },
      body: "{}",
    });
    const body = (await res.json()) as any;
    expectEnvelope(res.status, body);
    expect(res.status).toBe(503);
    expect(body.error.id).toBe("api-unavailable");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM mfa").first<{ n: number }>())!.n).toBe(0);
  });
});
