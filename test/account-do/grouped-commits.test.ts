/**
 * Grouped commits: consecutive events.create calls of a batch are committed
 * together by the account's Durable Object (one D1 transaction), with every
 * outcome as if each call had run alone.
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
});
