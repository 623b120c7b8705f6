/** The target rule as delivery applies it (the production refusal at creation: test/config/production-webhooks.test.ts). */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { callWebhook } from "../../src/webhooks/delivery";
import { privateTargetsAllowed, refusedTarget } from "../../src/webhooks/url-policy";

describe("webhook target rule", () => {
  it("local mode allows private targets (wrangler.toml), never other schemes", () => {
    expect(privateTargetsAllowed(env)).toBe(true);
    expect(refusedTarget("http://127.0.0.1:3000/x", true)).toBeNull();
    expect(refusedTarget("file:///etc/passwd", true)).not.toBeNull();
    expect(refusedTarget("javascript:alert(1)", true)).not.toBeNull();
  });

  it("without the switch, private targets are refused; names are judged as written", () => {
    for (const url of ["http://localhost/", "http://LOCALHOST./", "http://printer.local/", "http://100.64.0.1/", "http://[::ffff:7f00:1]/",
      "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://169.254.169.254/", "http://0.0.0.0/", "http://2130706433/",
      "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://[64:ff9b::a00:1]/", "http://224.0.0.1/"]) {
      expect(refusedTarget(url, false), url).not.toBeNull();
    }
    for (const url of ["https://example.com/", "http://8.8.8.8/", "http://localhost.example.com/"]) {
      expect(refusedTarget(url, false), url).toBeNull();
    }
  });

  it("a delivery to a refused target is not attempted: status 0", async () => {
    const production = { ...env, WEBHOOKS_ALLOW_PRIVATE: "false" } as Env;
    expect(await callWebhook(production, "http://127.0.0.1:8787/hook", ["eventsChanged"])).toBe(0);
    expect(await callWebhook(env, "http://webhook-receiver.test/ok", ["eventsChanged"])).toBe(200);
  });
});
