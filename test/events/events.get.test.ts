import { describe, expect, it } from "vitest";
import { del, expectError, get, post, put } from "../helpers/api";
import { createEvent, createStream, getEvents, ids, own } from "../helpers/data";
import { createUser, type TestUser } from "../helpers/users";

/** diary → (work, home); other. */
async function tree(): Promise<TestUser> {
  const user = await createUser();
  await createStream(user, { id: "diary", name: "Diary" });
  await createStream(user, { id: "work", name: "Work", parentId: "diary" });
  await createStream(user, { id: "home", name: "Home", parentId: "diary" });
  await createStream(user, { id: "other", name: "Other" });
  return user;
}

describe("events.get", () => {
  it("answers the last 20 by default (newest first), all in a time range, with skip and limit", async () => {
    const user = await tree();
    for (let i = 0; i < 25; i++) await createEvent(user, { streamIds: ["other"], time: 1000 + i });
    const latest = own((await getEvents(user, { streams: "other" })).events);
    expect(latest).toHaveLength(20);
    expect(latest[0]!.time).toBe(1024);
    expect((await getEvents(user, { streams: "other", fromTime: 0, toTime: 2000 })).events).toHaveLength(25);
    const page = (await getEvents(user, { streams: "other", fromTime: 0, toTime: 2000, skip: 5, limit: 3, sortAscending: true })).events;
    expect(page.map((e) => e.time)).toEqual([1005, 1006, 1007]);
  });

  it("selects by overlap of [time, time + duration] with the window", async () => {
    const user = await tree();
    const t = (time: number, duration?: number) => createEvent(user, { streamIds: ["other"], time, ...(duration !== undefined ? { duration } : {}) });
    const before = await t(100);
    const longBefore = await t(10, 500); // 10 → 510: overlaps
    const inside = await t(300);
    const after = await t(900);
    const found = ids((await getEvents(user, { streams: "other", fromTime: 200, toTime: 600 })).events);
    expect(found.sort()).toEqual([longBefore.id, inside.id].sort());
    expect(found).not.toContain(before.id);
    expect(found).not.toContain(after.id);
    // Only toTime: the day before it.
    expect(ids((await getEvents(user, { streams: "other", toTime: 350 })).events).sort()).toEqual([before.id, longBefore.id, inside.id].sort());
  });

  it("running periods: only them with running=true; in windows reaching now; not in past windows", async () => {
    const user = await tree();
    const now = Date.now() / 1000;
    const running = await createEvent(user, { streamIds: ["other"], type: "activity/plain", content: null, time: now - 7200, duration: null });
    const point = await createEvent(user, { streamIds: ["other"], time: now - 60 });
    expect(ids((await getEvents(user, { streams: "other", running: true })).events)).toEqual([running.id]);
    expect(ids((await getEvents(user, { streams: "other", fromTime: now - 600 })).events).sort()).toEqual([running.id, point.id].sort());
    expect(ids((await getEvents(user, { streams: "other", fromTime: now - 600, toTime: now - 30 })).events)).toEqual([point.id]);
  });

  it("streams: descendants included, `id!`, arrays, {any, all, not}, JSON text, `*`", async () => {
    const user = await tree();
    const w = await createEvent(user, { streamIds: ["work"], time: 1 });
    const h = await createEvent(user, { streamIds: ["home"], time: 2 });
    const d = await createEvent(user, { streamIds: ["diary"], time: 3 });
    const wo = await createEvent(user, { streamIds: ["work", "other"], time: 4 });
    const o = await createEvent(user, { streamIds: ["other"], time: 5 });
    const q = (streams: string | string[]) => getEvents(user, { streams, fromTime: 0, toTime: 10, sortAscending: true }).then((r) => ids(r.events));
    expect(await q("diary")).toEqual([w.id, h.id, d.id, wo.id]);
    expect(await q("diary!")).toEqual([d.id]);
    expect(await q(["home", "other"])).toEqual([h.id, wo.id, o.id]);
    expect(await q(JSON.stringify({ any: ["diary"], not: ["other"] }))).toEqual([w.id, h.id, d.id]);
    expect(await q(JSON.stringify({ any: ["diary"], all: ["other"] }))).toEqual([wo.id]);
    expect(await q(JSON.stringify([{ any: ["home"] }, { any: ["other"], not: ["work"] }]))).toEqual([h.id, o.id]);
    expect(await q(JSON.stringify({ any: ["*"], not: ["diary"] }))).toEqual([o.id]);
    expect(own((await getEvents(user, { fromTime: 0, toTime: 10 })).events)).toHaveLength(5);
  });

  it("refuses unknown streams and malformed queries", async () => {
    const user = await tree();
    const path = `/${user.username}/events`;
    const t = { token: user.token };
    expect(expectError(await get(path, { ...t, query: { streams: ["diary", "nope", "nada"] } }), 400, "unknown-referenced-resource").data).toEqual({ streams: ["nope", "nada"] });
    for (const streams of ['{"all":["diary"]}', '{"any":[]}', '{"any":["*","diary"]}', '{"any":["diary"],"bad":[]}', "[1,2]", "{not json", '{"any":["a\'b"]}', '{"any":["*"],"all":["x"]}']) {
      expectError(await get(path, { ...t, query: { streams } }), 400, "invalid-request-structure");
    }
    const badQueries: Record<string, string>[] = [{ limit: "-1" }, { fromTime: "soon" }, { state: "gone" }, { types: "Mass" }, { tags: "x" }, { running: "maybe" }];
    for (const query of badQueries) {
      expectError(await get(path, { ...t, query }), 400, "invalid-parameters-format");
    }
  });

  it("types (exact and class/*), state, and equal times in a stable order", async () => {
    const user = await tree();
    const t = { token: user.token };
    const a = await createEvent(user, { streamIds: ["other"], type: "mass/kg", content: 1, time: 50 });
    const b = await createEvent(user, { streamIds: ["other"], type: "mass/lb", content: 2, time: 50 });
    const c = await createEvent(user, { streamIds: ["other"], type: "note/txt", content: "c", time: 50 });
    const q = (query: Record<string, any>) => getEvents(user, { streams: "other", fromTime: 0, toTime: 100, ...query }).then((r) => ids(r.events));
    expect(await q({ types: "mass/kg" })).toEqual([a.id]);
    expect((await q({ types: "mass/*" })).sort()).toEqual([a.id, b.id].sort());
    expect((await q({ types: ["mass/kg", "note/txt"] })).sort()).toEqual([a.id, c.id].sort());
    const order = await q({});
    expect(order).toEqual([a.id, b.id, c.id].sort().reverse());
    expect(await q({ sortAscending: true })).toEqual([...order].reverse());
    await del(`/${user.username}/events/${b.id}`, t);
    expect(await q({ state: "trashed" })).toEqual([b.id]);
    expect((await q({ state: "all" })).sort()).toEqual([a.id, b.id, c.id].sort());
    expect((await q({})).sort()).toEqual([a.id, c.id].sort());
  });

  it("includes the account's field events for a personal token, never the hidden ones", async () => {
    const user = await createUser();
    const all = ids((await getEvents(user)).events);
    expect(all).toEqual(expect.arrayContaining([":_system:language", ":system:email"]));
    expect(all).not.toContain(":_system:appId");
    expect(all).not.toContain(":_system:referer");
    expect(ids((await getEvents(user, { streams: ":_system:account" })).events).sort()).toEqual(
      [":_system:attachedFiles", ":_system:dbDocuments", ":_system:language", ":system:email"].sort(),
    );
  });

  it("streams results larger than a page, in order, complete", async () => {
    const user = await tree();
    const calls = Array.from({ length: 1200 }, (_, i) => ({ method: "events.create", params: { streamIds: ["other"], type: "count/generic", content: i, time: 10_000 + i } }));
    for (const chunk of [calls.slice(0, 600), calls.slice(600)]) {
      const batch = await post(`/${user.username}/`, chunk, { token: user.token });
      expect(batch.body.results.filter((r: object) => "error" in r)).toEqual([]);
    }
    const events = (await getEvents(user, { streams: "other", fromTime: 0, toTime: 20_000 })).events;
    expect(events).toHaveLength(1200);
    expect(events.map((e) => e.content)).toEqual(Array.from({ length: 1200 }, (_, i) => 1199 - i));
  });

  it("finds a long period overlapping the window even among many later events", async () => {
    const user = await tree();
    const long = await createEvent(user, { streamIds: ["other"], time: 0, duration: 1_000_000 });
    await put(`/${user.username}/events/${long.id}`, { description: "still long" }, { token: user.token });
    expect(ids((await getEvents(user, { streams: "other", fromTime: 999_000, toTime: 999_500 })).events)).toEqual([long.id]);
  });
});

describe("events.get streamed answer", () => {
  it("is pure ASCII JSON that parses back to the exact text (any split of the bytes keeps characters whole)", async () => {
    const { SELF } = await import("cloudflare:test");
    const user = await createUser();
    await createStream(user, { id: "t", name: "T" });
    const text = "é ü 漢字 🙂 \u2028 end";
    await createEvent(user, { streamIds: ["t"], content: text });
    const res = await SELF.fetch(`http://127.0.0.1:8787/${user.username}/events?streams=t`, { headers: { Authorization: user.token } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.every((b) => b < 128)).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(bytes)).events[0].content).toBe(text);
  });

  it("is ASCII in every chunk of a longer answer too, whole and in order", async () => {
    const { SELF } = await import("cloudflare:test");
    const user = await createUser();
    await createStream(user, { id: "t", name: "T" });
    const text = "é 漢字 🙂";
    const filler = "x".repeat(1000);
    // 150 events of about 1 kB: several chunks (64 kB each); the oldest, last in the answer, carries the text.
    const calls = Array.from({ length: 150 }, (_, i) => ({ method: "events.create", params: { streamIds: ["t"], type: "note/txt", content: i ? `n${i}${filler}` : text, time: 1000 + i } }));
    expect((await post(`/${user.username}/`, calls, { token: user.token })).status).toBe(200);
    const res = await SELF.fetch(`http://127.0.0.1:8787/${user.username}/events?streams=t&fromTime=0&toTime=2000`, { headers: { Authorization: user.token } });
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.every((b) => b < 128)).toBe(true);
    const events = JSON.parse(new TextDecoder().decode(bytes)).events;
    expect(events.map((e: { content: string }) => e.content)).toEqual(Array.from({ length: 150 }, (_, i) => (149 - i ? `n${149 - i}${filler}` : text)));
  });
});
