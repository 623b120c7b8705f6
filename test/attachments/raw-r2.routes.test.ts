import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectError, get, request } from "../helpers/api";

describe("the benchmark's bare R2 and D1 routes", () => {
  it("do not exist unless BENCH_ROUTES is true: nothing is written or read", async () => {
    expect(env.BENCH_ROUTES).toBeUndefined();
    await env.FILES.put("bench/kept", "secret bytes");
    expectError(await request("PUT", "/bench/r2/new", { rawBody: "bytes" }), 404, "unknown-resource");
    expectError(await request("PUT", "/bench/r2/new?layout=attachment", { rawBody: "bytes" }), 404, "unknown-resource");
    expectError(await get("/bench/r2/kept"), 404, "unknown-resource");
    expect(await env.FILES.head("bench/new")).toBeNull();
  });

  it("and the bare D1 round trip neither", async () => {
    expectError(await get("/bench/d1"), 404, "unknown-resource");
    expectError(await get("/bench/trace/1"), 404, "unknown-resource");
  });
});
