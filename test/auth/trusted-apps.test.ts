/** TRUSTED_APPS and TRUSTED_AUTH_URLS patterns: a `*` stays within the part of the URL it is written in. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { isTrustedApp } from "../../src/auth/trusted-apps";

const config = parseConfig({
  ENVIRONMENT: "production",
  PUBLIC_URL: "https://pryv.test",
  DOMAIN: "pryv.test",
  TRUSTED_APPS: "*@https://*.pryv.test*, mobile-app@*",
  TRUSTED_AUTH_URLS: "https://*.partner.test/auth/*",
} as Env);

describe("trusted apps", () => {
  it("trusts the configured origins, with any port, and the service's own", () => {
    expect(isTrustedApp(config, "web", "https://app.pryv.test")).toBe(true);
    expect(isTrustedApp(config, "web", "https://app.pryv.test:8443")).toBe(true);
    expect(isTrustedApp(config, "web", "https://pryv.test")).toBe(true);
    expect(isTrustedApp(config, "web", "https://app.pryv.test/some/page")).toBe(true); // a Referer, by its origin
  });

  it("is not fooled by a host pattern continued in another site's path or user info", () => {
    expect(isTrustedApp(config, "web", "https://evil.test/.pryv.test")).toBe(false);
    expect(isTrustedApp(config, "web", "https://evil.test/x.pryv.test/")).toBe(false);
    expect(isTrustedApp(config, "web", "https://a.pryv.test@evil.test")).toBe(false);
    expect(isTrustedApp(config, "web", "https://app.pryv.test.evil.test")).toBe(false);
    expect(isTrustedApp(config, "web", null)).toBe(false);
  });

  it("`appId@*` trusts any origin and none", () => {
    expect(isTrustedApp(config, "mobile-app", null)).toBe(true);
    expect(isTrustedApp(config, "mobile-app", "null")).toBe(true);
    expect(isTrustedApp(config, "mobile-app", "https://anywhere.test")).toBe(true);
  });
});

describe("trusted auth URLs", () => {
  const trusted = (url: string) => config.accessRequests.trustedAuthUrls.some((p) => p.test(url));
  it("a `*` in the host stays in the host, one in the path stays in the path", () => {
    expect(trusted("https://pryv.test/reg/auth")).toBe(false); // DOMAIN set: the own page is on reg.
    expect(trusted("https://reg.pryv.test/auth")).toBe(true);
    expect(trusted("https://eu.partner.test/auth/consent.html")).toBe(true);
    expect(trusted("https://evil.test/.partner.test/auth/x")).toBe(false);
    expect(trusted("https://eu.partner.test/other/auth/x")).toBe(false);
  });
});

describe("the sign-in pages' origin", () => {
  it("is trusted for login in subdomain mode without being listed (the pages log in from reg.{domain})", () => {
    const bare = parseConfig({ ENVIRONMENT: "production", PUBLIC_URL: "https://pryv.test", DOMAIN: "pryv.test" } as Env);
    expect(isTrustedApp(bare, "pryv-edge-auth", "https://reg.pryv.test")).toBe(true);
    expect(isTrustedApp(bare, "any-app", "https://other.pryv.test")).toBe(false);
  });
});
