/** Production configuration (as config-production, WEBHOOKS_ALLOW_PRIVATE=false): webhooks may not target private networks. */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectEnvelope } from "../helpers/api";
import { registrationBody } from "../helpers/users";

async function call(urlString: string, init: { method?: string; json?: unknown; token?: string } = {}) {
  const headers = new Headers();
  if (init.json !== undefined) headers.set("Content-Type", "application/json");
  if (init.token) headers.set("Authorization", init.token);
  const res = await SELF.fetch(urlString, { method: init.method ?? "GET", headers, body: init.json !== undefined ? JSON.stringify(init.json) : undefined });
  const body = (await res.json()) as any;
  expectEnvelope(res.status, body);
  return { status: res.status, body };
}

describe("webhook targets in production", () => {
  it("refuses private, loopback, link-local and local-name targets at creation; accepts public ones", async () => {
    const user = registrationBody();
    const created = await call("https://reg.pryv.test/users", { method: "POST", json: user });
    expect(created.status).toBe(201);
    const personal = /^https:\/\/([a-z0-9]+)@/.exec(created.body.apiEndpoint)![1]!;
    const host = `https://${user.username}.pryv.test`;
    const app = await call(`${host}/accesses`, {
      method: "POST",
      token: personal,
      json: { name: "hooks", type: "app", permissions: [{ streamId: "*", level: "read" }] },
    });
    expect(app.status).toBe(201);
    const token = app.body.access.token as string;

    const refused = [
      "http://localhost:8080/hook",
      "http://api.localhost/hook",
      "http://127.0.0.1/hook",
      "http://127.1.2.3:9000/hook",
      "http://2130706433/hook", // 127.0.0.1 written as a number
      "http://0x7f.1/hook",
      "http://0.0.0.0/hook",
      "http://10.1.2.3/hook",
      "http://172.16.0.1/hook",
      "http://172.31.255.255/hook",
      "http://192.168.1.10/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/hook",
      "http://[::]/hook",
      "http://[fc00::1]/hook",
      "http://[fd12:3456::1]/hook",
      "http://[fe80::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://[::ffff:10.0.0.1]/hook",
    ];
    for (const url of refused) {
      const res = await call(`${host}/webhooks`, { method: "POST", token, json: { url } });
      expect(res.status, url).toBe(400);
      expect(res.body.error.id, url).toBe("invalid-parameters-format");
    }
    for (const url of ["https://hooks.example.com/pryv", "http://172.32.0.1/hook", "http://11.0.0.1/hook", "http://[2606:4700::1111]/hook"]) {
      const res = await call(`${host}/webhooks`, { method: "POST", token, json: { url } });
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(201);
    }
  });
});
