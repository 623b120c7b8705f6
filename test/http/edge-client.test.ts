/** The edge's view of a client, read from `request.cf` once per address and kept (src/http/edge-client.ts). */
import { describe, expect, it } from "vitest";
import { callerInfo } from "../../src/http/caller";

const from = (ip: string | null, cf: Record<string, unknown>) =>
  new Request("http://core.test/alice/events", { headers: ip ? { "CF-Connecting-IP": ip } : {}, cf } as RequestInit);

describe("the edge's view of a client", () => {
  it("is read from request.cf, then kept for the address", () => {
    const first = callerInfo(from("198.51.100.1", { country: "CH", asn: 559, asOrganization: "SWITCH" }));
    expect(first).toMatchObject({ ip: "198.51.100.1", country: "CH", asn: 559, asOrganization: "SWITCH" });
    // The same address: the kept view, whatever this request's cf holds.
    expect(callerInfo(from("198.51.100.1", { country: "FR", asn: 3215 }))).toMatchObject({ country: "CH", asn: 559, asOrganization: "SWITCH" });
    // Another address: its own.
    expect(callerInfo(from("198.51.100.2", { country: "FR", asn: 3215 }))).toMatchObject({ country: "FR", asn: 3215, asOrganization: null });
  });

  it("is read every time without an address", () => {
    expect(callerInfo(from(null, { country: "DE", asn: 3320 }))).toMatchObject({ ip: null, country: "DE", asn: 3320 });
    expect(callerInfo(from(null, { country: "IT", asn: 3269 }))).toMatchObject({ ip: null, country: "IT", asn: 3269 });
  });
});
