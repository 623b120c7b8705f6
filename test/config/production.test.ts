/** ENVIRONMENT=production, DOMAIN=pryv.test (subdomain mode), strict trusted apps, a strong ADMIN_KEY. */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectEnvelope } from "../helpers/api";
import { registrationBody } from "../helpers/users";

async function call(urlString: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set("Content-Type", "application/json");
  const res = await SELF.fetch(urlString, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const body = (await res.json()) as any;
  expectEnvelope(res.status, body);
  return { status: res.status, body };
}

describe("subdomain mode", () => {
  it("service info names per-subdomain URLs", async () => {
    const { body } = await call("https://reg.pryv.test/service/info");
    expect(body).toMatchObject({
      api: "https://{username}.pryv.test/",
      register: "https://reg.pryv.test/",
      access: "https://reg.pryv.test/access/",
    });
  });

  it("registers at reg.{domain}, logs in and reads the account at {username}.{domain}", async () => {
    const user = registrationBody();
    const created = await call("https://reg.pryv.test/users", { method: "POST", json: user });
    expect(created.status).toBe(201);
    expect(created.body.apiEndpoint).toMatch(new RegExp(`^https://[a-z0-9]{32}@${user.username}\\.pryv\\.test/$`));

    const host = `https://${user.username}.pryv.test`;
    const creds = { username: user.username, password: user.password, appId: "web-app-id" };
    const untrusted = await call(`${host}/auth/login`, { method: "POST", json: creds, headers: { Origin: "http://localhost:3000" } });
    expect(untrusted.body.error.id).toBe("invalid-credentials");
    const loggedIn = await call(`${host}/auth/login`, { method: "POST", json: creds, headers: { Origin: "https://app.pryv.test" } });
    expect(loggedIn.status).toBe(200);
    const account = await call(`${host}/account`, { headers: { Authorization: loggedIn.body.token } });
    expect(account.body.account.username).toBe(user.username);
    // An appId trusted from anywhere (native apps send no Origin).
    const mobile = await call(`${host}/auth/login`, { method: "POST", json: { ...creds, appId: "mobile-app" } });
    expect(mobile.status).toBe(200);
  });

  it("an unknown subdomain is an unknown account", async () => {
    const res = await call("https://nobody-here.pryv.test/account");
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('Unknown user "nobody-here"');
  });

  it("reserves the operator's extra names", async () => {
    const res = await call("https://reg.pryv.test/users", { method: "POST", json: registrationBody({ username: "acme-corp" }) });
    expect(res.status).toBe(409);
  });
});

describe("admin API outside local mode", () => {
  it("works with the strong key only", async () => {
    const ok = await call("https://reg.pryv.test/admin/users", { headers: { Authorization: "a-long-and-random-admin-key-for-tests" } });
    expect(ok.status).toBe(200);
    const wrong = await call("https://reg.pryv.test/admin/users", { headers: { Authorization: "dev-admin-key" } });
    expect(wrong.status).toBe(403);
  });
});
