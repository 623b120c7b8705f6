import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, expectError, get, post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { createUser, type TestUser } from "../helpers/users";

/** A call as the edge would see it from `country` / network `asn`. */
async function callFrom(user: TestUser, token: string, path: string, cf: { country: string; asn: number; asOrganization: string }) {
  const res = await SELF.fetch(`${BASE}/${user.username}/${path}`, { headers: { Authorization: token }, cf } as RequestInit);
  await res.arrayBuffer();
  return res.status;
}

/** The trail read as events; retried briefly, usage reaching the account's DO just after each answer. */
async function trail(user: TestUser, query: Record<string, any>, expectedCount: number, token = user.token) {
  let events: any[] = [];
  for (let i = 0; i < 40; i++) {
    const res = await get(`/${user.username}/events`, { token, query: { fromTime: 0, toTime: Date.now() / 1000 + 60, ...query } });
    if (res.status !== 200) return res;
    events = res.body.events;
    if (events.length >= expectedCount) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { status: 200, body: { events } };
}

describe("trail of use", () => {
  it("lists the calls made, with access, method and outcome; filters by access, method and time", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const app = (await post(`/${user.username}/accesses`, { name: "app", type: "app", permissions: [{ streamId: "s", level: "read" }] }, { token: user.token })).body.access;
    await get(`/${user.username}/events`, { token: app.token, query: { streams: "s" } });
    await post(`/${user.username}/events`, { streamIds: ["s"], type: "note/txt", content: "x" }, { token: app.token }); // forbidden
    await get(`/${user.username}/streams`, { token: app.token });

    const ofApp = await trail(user, { streams: `:_audit:access-${app.id}` }, 3);
    const calls = ofApp.body.events.map((e: any) => `${e.content.action} ${e.content.status}`);
    expect(calls).toEqual(["streams.get 200", "events.create 403", "events.get 200"]);
    const failed = ofApp.body.events[1];
    expect(failed).toMatchObject({
      type: "audit-log/pryv-api-error",
      streamIds: [`:_audit:access-${app.id}`, ":_audit:action-events.create"],
      content: { source: { name: "http" }, action: "events.create", id: "forbidden" },
    });

    const creates = await trail(user, { streams: ":_audit:action-events.create" }, 1);
    expect(creates.body.events.map((e: any) => e.streamIds[0])).toEqual([`:_audit:access-${app.id}`]);
    const combined = await trail(user, { streams: JSON.stringify({ any: [`:_audit:access-${app.id}`], all: [":_audit:action-events.get"] }) }, 1);
    expect(combined.body.events).toHaveLength(1);
    const none = await get(`/${user.username}/events`, { token: user.token, query: { streams: ":_audit:", fromTime: 0, toTime: 1 } });
    expect(none.body.events).toEqual([]);
    expectError(await get(`/${user.username}/events`, { token: user.token, query: { streams: [":_audit:", "s"] } }), 400, "invalid-request-structure");
  });

  it("counts calls per method and sets lastUsed on the access", async () => {
    const user = await createUser();
    const shared = (await post(`/${user.username}/accesses`, { name: "counter", permissions: [] }, { token: user.token })).body.access;
    for (let i = 0; i < 3; i++) await get(`/${user.username}/streams`, { token: shared.token });
    await post(`/${user.username}/`, [{ method: "streams.get", params: {} }, { method: "events.get", params: {} }], { token: shared.token });
    await trail(user, { streams: `:_audit:access-${shared.id}` }, 6);
    const info = (await get(`/${user.username}/access-info`, { token: shared.token })).body;
    expect(info.calls).toMatchObject({ "streams:get": 4, "events:get": 1 });
    expect(info.lastUsed).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it("an app reads its own trail, not others'", async () => {
    const user = await createUser();
    const a = (await post(`/${user.username}/accesses`, { name: "a", type: "app", permissions: [] }, { token: user.token })).body.access;
    const b = (await post(`/${user.username}/accesses`, { name: "b", type: "app", permissions: [] }, { token: user.token })).body.access;
    await get(`/${user.username}/streams`, { token: b.token });
    expect((await trail(user, { streams: `:_audit:access-${a.id}` }, 0, a.token)).status).toBe(200);
    expectError(await get(`/${user.username}/events`, { token: a.token, query: { streams: `:_audit:access-${b.id}` } }), 403, "forbidden");
    expectError(await get(`/${user.username}/events`, { token: a.token, query: { streams: ":_audit:" } }), 403, "forbidden");
  });

  it("beyond Pryv: flags the first use of a token from a new country or network", async () => {
    const user = await createUser();
    const app = (await post(`/${user.username}/accesses`, { name: "roaming", type: "app", permissions: [] }, { token: user.token })).body.access;
    const home = { country: "CH", asn: 3303, asOrganization: "Swisscom" };
    expect(await callFrom(user, app.token, "streams", home)).toBe(200);
    expect(await callFrom(user, app.token, "streams", home)).toBe(200);
    expect(await callFrom(user, app.token, "streams", { country: "XK", asn: 64512, asOrganization: "Elsewhere Hosting" })).toBe(200);
    const events = (await trail(user, { streams: `:_audit:access-${app.id}`, sortAscending: true }, 3)).body.events;
    expect(events.map((e: any) => e.content.newOrigin === true)).toEqual([true, false, true]);
    expect(events[2].content.origin).toEqual({ country: "XK", asn: 64512, network: "Elsewhere Hosting" });
    const info = (await get(`/${user.username}/access-info`, { token: user.token })).body;
    expect(info.newOrigins.filter((o: any) => o.accessId === app.id).map((o: any) => o.country)).toEqual(["XK", "CH"]);
    expect(info.newOrigins[0]).toMatchObject({ accessName: "roaming", asn: 64512, network: "Elsewhere Hosting" });
  });
});
