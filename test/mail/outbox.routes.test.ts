/** The local outbox page and its JSON twin: served only locally, with the outbox as sender. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Env } from "../../src/env";
import { putInOutbox } from "../../src/mail/outbox";
import { BASE, expectEnvelope, get } from "../helpers/api";

describe("/reg/dev/outbox", () => {
  it("lists the mail, newest first, as JSON", async () => {
    const to = `json-${crypto.randomUUID()}@example.com`;
    await putInOutbox(env as Env, { to, subject: "first", text: "one" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await putInOutbox(env as Env, { to, subject: "second", text: "two" });
    const res = await get("/reg/dev/outbox.json");
    expect(res.status).toBe(200);
    const mine = res.body.messages.filter((m: { to: string }) => m.to === to);
    expect(mine.map((m: { subject: string }) => m.subject)).toEqual(["second", "first"]);
  });

  it("shows a page with the links clickable and everything escaped, and no script allowed", async () => {
    const link = `${BASE}/reg/auth/reset#username=bob&token=abc123`;
    await putInOutbox(env as Env, { to: "bob@example.com", subject: "<script>alert(1)</script>", text: `Open ${link} now` });
    const res = await get("/reg/dev/outbox");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(res.body).toMatch(/^<!DOCTYPE html>/);
    expect(res.body).toContain(`<a href="${link.replace("&", "&amp;")}">`);
    expect(res.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(res.body).not.toContain("<script>");
  });

  const variants: [string, Partial<Env>][] = [
    ["in production", { ENVIRONMENT: "production", PUBLIC_URL: "https://pryv.test" }],
    ["locally with another sender", { MAIL_SENDER: "none" }],
  ];
  for (const [name, vars] of variants) {
    it(`is unknown-resource ${name}`, async () => {
      const app = createApp();
      for (const path of ["/reg/dev/outbox", "/reg/dev/outbox.json"]) {
        const res = await app.request(`${BASE}${path}`, {}, { ...(env as Env), ...vars });
        const body = await res.json<any>();
        expect(res.status).toBe(404);
        expectEnvelope(res.status, body);
        expect(body.error.id).toBe("unknown-resource");
      }
    });
  }
});
