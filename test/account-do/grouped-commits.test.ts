/**
 * Grouped commits: consecutive events.create calls of a batch — and the
 * creates of concurrent requests — are committed together by the account's
 * Durable Object (one D1 transaction), with every outcome as if each call
 * had run alone.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { get, post, put } from "../helpers/api";
import { createEvent, createStream, getEvents, ids, own } from "../helpers/data";
import { userRow } from "../helpers/db";
import { createUser, type TestUser } from "../helpers/users";
import { controlClock, createAccess, createWebhook, receiver, ringAlarm, webhook } from "../webhooks/helpers";

const cuid = () => `c${Array.from(crypto.getRandomValues(new Uint8Array(24)), (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("")}`;

async function batch(user: TestUser, calls: { method: string; params: unknown }[]) {
  const res = await post(`/${user.username}/`, calls, { token: user.token });
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
  return res.body.results as Record<string, any>[];
}

/** Stored serials of these events, in the order given. */
async function serials(user: TestUser, eventIds: string[]): Promise<number[]> {
  const { id } = (await userRow(user.username))!;
  const { results } = await env.DB.prepare("SELECT id, serial FROM events WHERE user_id = ?").bind(id).all<{ id: string; serial: number }>();
  const byId = new Map(results.map((r) => [r.id, r.serial]));
  return eventIds.map((e) => byId.get(e)!);
}

const increasing = (values: number[]) => values.every((v, i) => i === 0 || v > values[i - 1]!);

async function storedEvent(user: TestUser, id: string) {
  const res = await get(`/${user.username}/events/${id}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.event;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("grouped commits of events.create in a batch", () => {
  it("creates 1000 events, each stored as answered and filed under its streams (children included)", async () => {
    const user = await createUser();
    await createStream(user, { id: "p", name: "Parent" });
    await createStream(user, { id: "c", name: "Child", parentId: "p" });
    await createStream(user, { id: "o", name: "Other" });
    const calls = Array.from({ length: 1000 }, (_, i) => ({
      method: "events.create",
      params: { streamIds: i % 2 ? ["c"] : ["o", "p"], type: "note/txt", content: `n${i}`, ...(i % 100 === 7 ? { duration: i } : {}) },
    }));
    const results = await batch(user, calls);
    expect(results).toHaveLength(1000);
    for (const [i, r] of results.entries()) expect(r.event?.content, JSON.stringify(r)).toBe(`n${i}`);
    const created = results.map((r) => r.event.id as string);
    expect(new Set(created).size).toBe(1000);
    expect(increasing(await serials(user, created))).toBe(true);
    expect(increasing(results.map((r) => r.event.modified))).toBe(true);

    // Streams queries read event_streams: the parent finds its child's events too.
    const underParent = await getEvents(user, { streams: ["p"], limit: 2000 });
    expect(new Set(ids(underParent.events))).toEqual(new Set(created));
    expect((await getEvents(user, { streams: ["c"], limit: 2000 })).events).toHaveLength(500);
    expect((await getEvents(user, { streams: ["o"], limit: 2000 })).events).toHaveLength(500);
    const { id: userId } = (await userRow(user.username))!;
    const filed = await env.DB.prepare("SELECT COUNT(*) AS n FROM event_streams WHERE user_id = ?").bind(userId).first<{ n: number }>();
    expect(filed!.n).toBe(1500 + (await env.DB.prepare("SELECT COUNT(*) AS n FROM event_streams WHERE user_id = ? AND stream_id LIKE ':%'").bind(userId).first<{ n: number }>())!.n);
    // What was answered is what is stored (integrity included).
    for (const i of [0, 1, 7, 507, 999]) expect(await storedEvent(user, created[i]!)).toEqual(results[i]!.event);
    expect((await userRow(user.username))!.max_event_duration).toBe(907);
  });

  it("commits a big group in several transactions of several chunks, a taken id failing its own call only", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const taken = (await createEvent(user, { streamIds: ["s"] })).id;
    const text = "é".repeat(2000); // 4 000 bytes: 700 of them go beyond one commit (2 MB) and one JSON chunk (1 MB)
    const calls = Array.from({ length: 700 }, (_, i) => ({
      method: "events.create",
      params: { streamIds: ["s"], type: "note/txt", content: `${i}${text}`, ...(i === 650 ? { id: taken } : {}) },
    }));
    const results = await batch(user, calls);
    expect(results.filter((r) => r.error).map((r) => r.error.id)).toEqual(["item-already-exists"]);
    expect(results[650]!.error).toBeDefined();
    const created = results.filter((r) => r.event).map((r) => r.event.id as string);
    expect(created).toHaveLength(699);
    expect(increasing(await serials(user, created))).toBe(true);
    const stored = await getEvents(user, { streams: ["s"], limit: 1000 });
    expect(new Set(ids(stored.events))).toEqual(new Set([...created, taken]));
    for (const i of [0, 400, 649, 699]) expect(await storedEvent(user, results[i]!.event.id)).toEqual(results[i]!.event);
  });

  it("stores numbers exactly, even those SQLite's JSON parser would round", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const times = [1_764_600_000.123_456_7, 8.831220974737342e-250, 6.329469182954695e-265, 0.1 + 0.2, 3];
    const results = await batch(
      user,
      times.map((time) => ({ method: "events.create", params: { streamIds: ["s"], type: "note/txt", content: "t", time, duration: time / 3 } })),
    );
    for (const [i, r] of results.entries()) {
      expect(r.event?.time, JSON.stringify(r)).toBe(times[i]);
      expect(await storedEvent(user, r.event.id)).toEqual(r.event);
    }
  });

  it("answers a mixed batch as one-by-one calls would: each failure its own, the others committed", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const taken = (await createEvent(user, { streamIds: ["s"], content: "already here" })).id;
    const [first, twin] = [cuid(), cuid()];
    const create = (params: Record<string, unknown>) => ({ method: "events.create", params: { type: "note/txt", ...params } });
    const r = await batch(user, [
      create({ id: first, streamIds: ["s"], content: "one" }),
      create({ streamIds: ["s"], content: "two" }),
      { method: "events.update", params: { id: first, update: { content: "one, updated" } } },
      { method: "streams.create", params: { id: "n", name: "New" } },
      create({ streamIds: ["n"], content: "three" }),
      create({ id: taken, streamIds: ["n"], content: "taken id" }),
      create({ streamIds: ["nope"], content: "unknown stream" }),
      create({ id: twin, streamIds: ["n"], content: "four" }),
      create({ id: twin, streamIds: ["s"], content: "twin" }),
      create({ streamIds: ["n", "s"], content: "five" }),
    ]);
    expect(r.map((x) => x.event?.content ?? x.stream?.id ?? x.error?.id)).toEqual([
      "one",
      "two",
      "one, updated",
      "n",
      "three",
      "item-already-exists",
      "unknown-referenced-resource",
      "four",
      "item-already-exists",
      "five",
    ]);
    expect(r[5]!.error.data).toEqual({ id: taken });

    const created = [r[1], r[2], r[4], r[7], r[9]].map((x) => x!.event);
    for (const event of created) expect(await storedEvent(user, event.id)).toEqual(event);
    expect((await storedEvent(user, taken)).content).toBe("already here");
    const contents = own((await getEvents(user, { limit: 100 })).events).map((e) => e.content);
    expect(contents.sort()).toEqual(["already here", "five", "four", "one, updated", "three", "two"]);
    // In call order, each write later than the previous one (a failed group commit's stamps are not reused).
    expect(increasing(await serials(user, ids(created)))).toBe(true);
    expect(increasing(created.map((e) => e.modified))).toBe(true);
  });

  it("keeps the account's longest duration whatever the durations' order", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    await createEvent(user, { streamIds: ["s"], duration: 100 });
    const { revision } = (await userRow(user.username))!;
    const shorter = await createEvent(user, { streamIds: ["s"], duration: 50 });
    await batch(user, [{ method: "events.create", params: { streamIds: ["s"], type: "note/txt", content: "x", duration: 20 } }]);
    expect((await put(`/${user.username}/events/${shorter.id}`, { duration: 10 }, { token: user.token })).status).toBe(200);
    // Unchanged, and not even rewritten: the account's revision (what caches of it check) stays.
    expect((await userRow(user.username))!).toMatchObject({ max_event_duration: 100, revision });
    await batch(user, [{ method: "events.create", params: { streamIds: ["s"], type: "note/txt", content: "x", duration: 300 } }]);
    expect((await userRow(user.username))!.max_event_duration).toBe(300);
  });

  it("tells webhooks of a group's creations, scoped to what each access may read", async () => {
    controlClock();
    const user = await createUser();
    await createStream(user, { id: "a", name: "A" });
    await createStream(user, { id: "b", name: "B" });
    const readsA = await createAccess(user, "app", [{ streamId: "a", level: "read" }]);
    const readsB = await createAccess(user, "app", [{ streamId: "b", level: "read" }]);
    const told = await createWebhook(user, readsA.token, receiver("/check?messages=eventsChanged"));
    const untold = await createWebhook(user, readsB.token, receiver("/ok"));
    await ringAlarm(user);
    const calls = Array.from({ length: 20 }, (_, i) => ({ method: "events.create", params: { streamIds: ["a"], type: "note/txt", content: `${i}` } }));
    expect((await batch(user, calls)).every((r) => r.event)).toBe(true);
    await ringAlarm(user);
    expect(await webhook(user, told.id)).toMatchObject({ runCount: 1, failCount: 0, lastRun: { status: 200 } });
    expect((await webhook(user, untold.id)).runCount).toBe(0);
  });

  it("commits the creates of concurrent requests together, each request with its own outcomes", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const taken = (await createEvent(user, { streamIds: ["s"], content: "already here" })).id;
    const single = (i: number, params: Record<string, unknown> = {}) =>
      post(`/${user.username}/events`, { streamIds: ["s"], type: "note/txt", content: `single ${i}`, ...params }, { token: user.token });
    const batchOf = (i: number) =>
      post(
        `/${user.username}/`,
        [0, 1, 2].map((k) => ({ method: "events.create", params: { streamIds: ["s"], type: "note/txt", content: `batch ${i}.${k}` } })),
        { token: user.token },
      );
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => single(i)),
      single(12, { id: taken }),
      single(13, { streamIds: ["nope"] }),
      batchOf(0),
      batchOf(1),
    ]);
    const singles = answers.slice(0, 12);
    for (const [i, res] of singles.entries()) {
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.event.content).toBe(`single ${i}`);
    }
    expect([answers[12]!.status, answers[12]!.body.error.id]).toEqual([409, "item-already-exists"]);
    expect([answers[13]!.status, answers[13]!.body.error.id]).toEqual([400, "unknown-referenced-resource"]);
    const batched = answers.slice(14).flatMap((res) => res.body.results as Record<string, any>[]);
    expect(batched.map((r) => r.event?.content)).toEqual(["batch 0.0", "batch 0.1", "batch 0.2", "batch 1.0", "batch 1.1", "batch 1.2"]);

    const created = [...singles.map((res) => res.body.event), ...batched.map((r) => r.event)];
    for (const event of created) expect(await storedEvent(user, event.id)).toEqual(event);
    expect((await storedEvent(user, taken)).content).toBe("already here");
    // Each write has its own place in the account's order: serials follow the stamps.
    const byStamp = [...created].sort((a, b) => a.modified - b.modified);
    expect(increasing(await serials(user, ids(byStamp)))).toBe(true);
    expect(new Set(created.map((e) => e.modified)).size).toBe(created.length);
  });

  it("groups updates of events the object keeps, reading D1 first for the others, each update applied once", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const kept = await createEvent(user, { streamIds: ["s"], content: "v1" }); // the object keeps it
    const taken = kept.id;
    const fresh = cuid();
    const r = await batch(user, [
      { method: "events.update", params: { id: kept.id, update: { content: "v2" } } },
      { method: "events.create", params: { id: fresh, streamIds: ["s"], type: "note/txt", content: "f1" } },
      // Created in this group, not committed yet: the group is committed before this update reads it.
      { method: "events.update", params: { id: fresh, update: { content: "f2" } } },
      { method: "events.update", params: { id: kept.id, update: { content: "v3" } } },
      { method: "events.update", params: { id: fresh, update: { content: "f3" } } },
    ]);
    expect(r.map((x) => x.event?.content ?? x.error?.id)).toEqual(["v2", "f1", "f2", "v3", "f3"]);
    const history = async (id: string) =>
      (await get(`/${user.username}/events/${id}`, { token: user.token, query: { includeHistory: true } })).body;
    const ofKept = await history(kept.id);
    expect(ofKept.event.content).toBe("v3");
    expect(ofKept.history.map((v: any) => v.content)).toEqual(["v1", "v2"]);
    expect((await history(fresh)).history.map((v: any) => v.content)).toEqual(["f1", "f2"]);

    // A group whose commit fails (a taken id) runs again call by call: the update is applied once, on what D1 holds.
    const failed = await batch(user, [
      { method: "events.update", params: { id: kept.id, update: { content: "v4" } } },
      { method: "events.create", params: { id: taken, streamIds: ["s"], type: "note/txt", content: "taken" } },
      { method: "events.update", params: { id: kept.id, update: { content: "v5" } } },
    ]);
    expect(failed.map((x) => x.event?.content ?? x.error?.id)).toEqual(["v4", "item-already-exists", "v5"]);
    const after = await history(kept.id);
    expect(after.event.content).toBe("v5");
    expect(after.history.map((v: any) => v.content)).toEqual(["v1", "v2", "v3", "v4"]);
  });

  it("answers a group of updates of events the object does not keep (read for the group) as each call alone would", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const created = await batch(
      user,
      ["a", "b", "c", "gone"].map((content) => ({ method: "events.create", params: { streamIds: ["s"], type: "note/txt", content } })),
    );
    const [a, b, c, gone] = created.map((x) => x.event.id as string) as [string, string, string, string];
    await batch(user, [1, 2].map(() => ({ method: "events.delete", params: { id: gone } }))); // trashed, then deleted
    await createStream(user, { id: "t", name: "T" }); // a stream write: the object forgets the events it kept
    const r = await batch(user, [
      { method: "events.update", params: { id: a, update: { content: "a2" } } },
      { method: "events.update", params: { id: gone, update: { content: "no" } } },
      { method: "events.update", params: { id: b, update: { streamIds: ["t"] } } },
      { method: "events.update", params: { id: ":_system:language", update: { content: "fr" } } },
      { method: "events.update", params: { id: a, update: { content: "a3" } } },
      { method: "events.update", params: { id: cuid(), update: { content: "none" } } },
      { method: "events.update", params: { id: c, update: { trashed: true } } },
    ]);
    expect(r.map((x) => x.event?.content ?? x.error?.id)).toEqual(["a2", "unknown-resource", "b", "fr", "a3", "unknown-resource", "c"]);
    expect(r[2]!.event.streamIds).toEqual(["t"]);
    expect(r[6]!.event.trashed).toBe(true);
    for (const [id, answer] of [[a, r[4]], [b, r[2]], [c, r[6]]] as const) expect(await storedEvent(user, id)).toEqual(answer!.event);
    const history = (await get(`/${user.username}/events/${a}`, { token: user.token, query: { includeHistory: true } })).body.history;
    expect(history.map((v: any) => v.content)).toEqual(["a", "a2"]);
    expect((await get(`/${user.username}/account`, { token: user.token })).body.account.language).toBe("fr");
  });

  it("commits concurrent updates together, in the order the object ran them", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const created = await batch(
      user,
      Array.from({ length: 6 }, (_, i) => ({ method: "events.create", params: { streamIds: ["s"], type: "note/txt", content: `e${i}` } })),
    );
    const targets = created.map((c) => c.event.id as string);
    const answers = await Promise.all(
      Array.from({ length: 18 }, (_, i) =>
        put(`/${user.username}/events/${targets[i % 6]}`, { content: `u${i}` }, { token: user.token }),
      ),
    );
    for (const res of answers) expect(res.status, JSON.stringify(res.body)).toBe(200);
    for (const [t, id] of targets.entries()) {
      const mine = answers.filter((_, i) => i % 6 === t).map((res) => res.body.event);
      const last = mine.reduce((a, b) => (b.modified > a.modified ? b : a));
      const stored = (await get(`/${user.username}/events/${id}`, { token: user.token, query: { includeHistory: true } })).body;
      expect(stored.event).toEqual(last);
      // Every version is kept, each answer's event being one of them, in stamp order.
      const versions = [...stored.history, stored.event].map((v: any) => v.content);
      expect(versions).toEqual([`e${t}`, ...[...mine].sort((a, b) => a.modified - b.modified).map((e) => e.content)]);
    }
  });

  it("tells webhooks of a grouped update that moved an event out of what they read", async () => {
    const clock = controlClock();
    const user = await createUser();
    await createStream(user, { id: "a", name: "A" });
    await createStream(user, { id: "b", name: "B" });
    const readsA = await createAccess(user, "app", [{ streamId: "a", level: "read" }]);
    const told = await createWebhook(user, readsA.token, receiver("/check?messages=eventsChanged"));
    const event = await createEvent(user, { streamIds: ["a"] }); // the object keeps it: the update below is grouped
    await ringAlarm(user);
    expect((await webhook(user, told.id)).runCount).toBe(1);
    clock.advance(6_000); // past the webhook's minimal interval (5 s), well within the object's keeping of the event
    const r = await batch(user, [
      { method: "events.create", params: { streamIds: ["b"], type: "note/txt", content: "elsewhere" } },
      { method: "events.update", params: { id: event.id, update: { streamIds: ["b"] } } },
    ]);
    expect(r.every((x) => x.event)).toBe(true);
    await ringAlarm(user);
    expect(await webhook(user, told.id)).toMatchObject({ runCount: 2, failCount: 0, lastRun: { status: 200 } });
  });
});
