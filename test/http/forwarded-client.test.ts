/** The client a register forwards: believed only with the shared REGISTER_KEY (src/http/forwarded-client.ts). */
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { callerInfo } from "../../src/http/caller";
import { acceptForwardedClient, clientHeadersOf } from "../../src/http/forwarded-client";

const KEY = "register-key-for-this-test-0123456789";
const core = { ENVIRONMENT: "local", REGISTER_KEY: KEY } as Env;

const fromRegister = (headers: Record<string, string>) =>
  new Request("http://core.test/alice/auth/login", { method: "POST", headers: { "CF-Connecting-IP": "10.0.0.9", ...headers } });

describe("a forwarded client", () => {
  it("is the client the register names, when the register shows the key", () => {
    const client = new Request("http://reg.test/alice/auth/login", { headers: { "CF-Connecting-IP": "203.0.113.7" } });
    const stated = clientHeadersOf(client, KEY);
    const seen = acceptForwardedClient(fromRegister(stated), core);
    expect(callerInfo(seen).ip).toBe("203.0.113.7");
    expect(seen.headers.has("Pryv-Register-Key")).toBe(false); // never passed further
  });

  it("is ignored without the key or with a wrong one: the caller is who connected", () => {
    const claims: Record<string, string>[] = [
      { "Pryv-Client-IP": "203.0.113.7", "Pryv-Client-Country": "CH" },
      { "Pryv-Client-IP": "203.0.113.7", "Pryv-Register-Key": "not-the-key-at-all-0123456789" },
    ];
    for (const headers of claims) {
      const seen = acceptForwardedClient(fromRegister(headers), core);
      expect(callerInfo(seen)).toMatchObject({ ip: "10.0.0.9", country: null });
      expect(seen.headers.has("Pryv-Client-IP")).toBe(false);
    }
  });

  it("is ignored by a node that has no REGISTER_KEY", () => {
    const seen = acceptForwardedClient(fromRegister({ "Pryv-Client-IP": "203.0.113.7", "Pryv-Register-Key": KEY }), { ENVIRONMENT: "local" } as Env);
    expect(callerInfo(seen).ip).toBe("10.0.0.9");
  });
});
