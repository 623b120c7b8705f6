import { describe, expect, it } from "vitest";
import { expectError, post } from "../helpers/api";
import { createUser } from "../helpers/users";

describe("event types (remote list from the configured URL)", () => {
  it("validates with the fetched list: a type only it defines is enforced", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await post(`/${user.username}/streams`, { id: "things", name: "Things" }, t);
    expect((await post(`/${user.username}/events`, { streamIds: ["things"], type: "remote-only/thing", content: { name: "x" } }, t)).status).toBe(201);
    const bad = await post(`/${user.username}/events`, { streamIds: ["things"], type: "remote-only/thing", content: { other: 1 } }, t);
    expectError(bad, 400, "invalid-parameters-format");
  });

  it("uses class/* definitions and tolerates the published files' string booleans", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await post(`/${user.username}/streams`, { id: "heart", name: "Heart" }, t);
    const ok = await post(`/${user.username}/events`, { streamIds: ["heart"], type: "numset/heart", content: { "/systolic": 120 } }, t);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expectError(await post(`/${user.username}/events`, { streamIds: ["heart"], type: "numset/heart", content: { "/systolic": "high" } }, t), 400, "invalid-parameters-format");
  });

  it("keeps the fetched list in KV for other isolates", async () => {
    const { env } = await import("cloudflare:workers");
    const cached = await env.KV.get<{ version: string; types: object }>("event-types:https://pryv.github.io/event-types/flat.json", "json");
    expect(cached?.version).toBe("test-fixture-1");
    expect(Object.keys(cached!.types)).toContain("remote-only/thing");
  });

  it("keeps the built-in definitions under the fetched ones", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await post(`/${user.username}/streams`, { id: "places", name: "Places" }, t);
    const res = await post(`/${user.username}/events`, { streamIds: ["places"], type: "position/wgs84", content: { latitude: "north" } }, t);
    expectError(res, 400, "invalid-parameters-format");
  });
});
