import { describe, expect, it } from "vitest";
import { del, expectError, get, post, put } from "../helpers/api";
import { accountSnapshot } from "../helpers/db";
import { createEvent, createStream } from "../helpers/data";
import { createUser } from "../helpers/users";
import { eventIntegrity } from "../../src/events/integrity";
import { expectStoredIntegrity } from "../helpers/integrity";

async function userWithStreams() {
  const user = await createUser();
  await createStream(user, { id: "diary", name: "Diary" });
  await createStream(user, { id: "health", name: "Health" });
  return user;
}

describe("events.create", () => {
  it("creates with server-set fields, a default time and a verifiable integrity", async () => {
    const user = await userWithStreams();
    const before = Date.now() / 1000;
    const res = await post(
      `/${user.username}/events`,
      { streamIds: ["diary", "health", "diary"], type: "mass/kg", content: 72.5, description: "after run", clientData: { app: 1 } },
      { token: user.token },
    );
    expect(res.status).toBe(201);
    const event = res.body.event;
    expect(event).toMatchObject({
      id: expect.stringMatching(/^c[a-z0-9]{24}$/),
      streamIds: ["diary", "health"],
      type: "mass/kg",
      content: 72.5,
      description: "after run",
      clientData: { app: 1 },
      createdBy: expect.any(String),
      modifiedBy: expect.any(String),
    });
    expect(event.time).toBeGreaterThanOrEqual(before - 1);
    expect(event.created).toBe(event.modified);
    expect(event).not.toHaveProperty("duration");
    expect(event).not.toHaveProperty("trashed");
    expect(event.integrity).toBe(await eventIntegrity(event));
  });

  it("takes a client id (cuid or cuid2), time, duration and running periods", async () => {
    const user = await userWithStreams();
    const cuid = `c${"a1b2c3d4e5f6".repeat(2)}`;
    expect((await createEvent(user, { id: cuid, streamIds: ["diary"], time: 1000.5, duration: 60 })).id).toBe(cuid);
    expect((await createEvent(user, { id: "zabcdefghijklmnopqrstuvw", streamIds: ["diary"] })).id).toBe("zabcdefghijklmnopqrstuvw");
    const running = await createEvent(user, { streamIds: ["diary"], type: "activity/plain", content: null, duration: null });
    expect(running.duration).toBeNull();
    expect(running).not.toHaveProperty("content");
    expectError(await post(`/${user.username}/events`, { id: cuid, streamIds: ["diary"], type: "note/txt", content: "x" }, { token: user.token }), 409, "item-already-exists");
  });

  it("validates content against its type without coercion; unknown well-formed types pass", async () => {
    const user = await userWithStreams();
    const path = `/${user.username}/events`;
    const t = { token: user.token };
    expect(expectError(await post(path, { streamIds: ["diary"], type: "mass/kg", content: "80" }, t), 400, "invalid-parameters-format").data[0]).toMatchObject({ param: "content" });
    expectError(await post(path, { streamIds: ["diary"], type: "position/wgs84", content: { latitude: 1 } }, t), 400, "invalid-parameters-format");
    expectError(await post(path, { streamIds: ["diary"], type: "mass/kg" }, t), 400, "invalid-parameters-format");
    expect((await post(path, { streamIds: ["diary"], type: "position/wgs84", content: { latitude: 46.5, longitude: 6.6 } }, t)).status).toBe(201);
    expect((await post(path, { streamIds: ["diary"], type: "my-class/my-format", content: { any: ["thing"] } }, t)).status).toBe(201);
    for (const type of ["Mass/KG", "mass", "mass/kg/x", "mass kg", ""]) {
      expectError(await post(path, { streamIds: ["diary"], type, content: 1 }, t), 400, "invalid-parameters-format");
    }
    expectError(await post(path, { streamIds: ["diary"], type: "series:mass/kg" }, t), 400, "invalid-event-type");
  });

  it("refuses unknown, trashed and system streams, and bad params, changing nothing", async () => {
    const user = await userWithStreams();
    const path = `/${user.username}/events`;
    const t = { token: user.token };
    await del(`/${user.username}/streams/health`, t);
    const before = await accountSnapshot(user.username);
    expect(expectError(await post(path, { streamIds: ["diary", "nope", "nada"], type: "note/txt", content: "x" }, t), 400, "unknown-referenced-resource").data).toEqual({ streamIds: ["nope", "nada"] });
    expect(expectError(await post(path, { streamIds: ["health"], type: "note/txt", content: "x" }, t), 400, "invalid-operation").data).toEqual({ trashedReference: "streamIds" });
    expectError(await post(path, { streamIds: [":_system:language"], type: "language/iso-639-1", content: "fr" }, t), 400, "invalid-operation");
    for (const body of [
      { type: "note/txt", content: "x" },
      { streamIds: [], type: "note/txt" },
      { streamId: "diary", type: "note/txt" },
      { streamIds: ["diary"], type: "note/txt", content: "x", tags: ["t"] },
      { streamIds: ["diary"], type: "note/txt", content: "x", time: "yesterday" },
      { streamIds: ["diary"], type: "note/txt", content: "x", duration: -1 },
      { streamIds: ["diary"], type: "note/txt", content: "x", id: "not-a-cuid" },
      { streamIds: ["diary"], type: "note/txt", content: "x", description: 4 },
    ]) {
      expectError(await post(path, body, t), 400, "invalid-parameters-format");
    }
    expectError(await post(path, { streamIds: ["diary"], type: "note/txt", content: "x".repeat(1024 * 1024 + 1) }, t), 400, "invalid-parameters-format");
    expect(await accountSnapshot(user.username)).toEqual(before);
  });
});

describe("events.getOne, events.update and history", () => {
  it("updates alterable fields, merges clientData, keeps history, recomputes integrity", async () => {
    const user = await userWithStreams();
    const t = { token: user.token };
    const event = await createEvent(user, { streamIds: ["diary"], content: "v1", clientData: { a: 1, b: 2 } });
    const res = await put(
      `/${user.username}/events/${event.id}`,
      { content: "v2", streamIds: ["health"], clientData: { b: null, c: 3 }, description: "d", time: 123, duration: 5 },
      t,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const updated = res.body.event;
    expect(updated).toMatchObject({ content: "v2", streamIds: ["health"], clientData: { a: 1, c: 3 }, description: "d", time: 123, duration: 5 });
    expect(updated.modified).toBeGreaterThan(event.modified);
    expect(updated.created).toBe(event.created);
    expect(updated.integrity).toBe(await eventIntegrity(updated));

    const second = (await put(`/${user.username}/events/${event.id}`, { description: null, clientData: null, duration: null }, t)).body.event;
    expect(second).not.toHaveProperty("description");
    expect(second).not.toHaveProperty("clientData");
    expect(second.duration).toBeNull();

    const withHistory = await get(`/${user.username}/events/${event.id}`, { ...t, query: { includeHistory: true } });
    expect(withHistory.body.event).toEqual(second);
    expect(withHistory.body.history.map((h: { content: string; modified: number }) => h.modified)).toEqual([event.modified, updated.modified]);
    expect(withHistory.body.history[0]).toMatchObject({ id: event.id, content: "v1" });
    expect((await get(`/${user.username}/events/${event.id}`, t)).body).not.toHaveProperty("history");
  });

  it("refuses protected fields, bad values, unknown streams and events, changing nothing", async () => {
    const user = await userWithStreams();
    const t = { token: user.token };
    const event = await createEvent(user, { streamIds: ["diary"], type: "mass/kg", content: 70 });
    const before = await accountSnapshot(user.username);
    const path = `/${user.username}/events/${event.id}`;
    expectError(await put(path, { id: "other" }, t), 403, "forbidden");
    expectError(await put(path, { created: 1 }, t), 403, "forbidden");
    expectError(await put(path, { content: "heavy" }, t), 400, "invalid-parameters-format");
    expectError(await put(path, { type: "position/wgs84" }, t), 400, "invalid-parameters-format");
    expectError(await put(path, { streamIds: ["nope"] }, t), 400, "unknown-referenced-resource");
    expectError(await put(path, { unknownField: 1 }, t), 400, "invalid-parameters-format");
    expectError(await put(`/${user.username}/events/cnonexistent00000000000000`, { content: 1 }, t), 404, "unknown-resource");
    expectError(await get(`/${user.username}/events/cnonexistent00000000000000`, t), 404, "unknown-resource");
    expect(await accountSnapshot(user.username)).toEqual(before);
  });

  it("account field events: editable ones change the account; others are refused", async () => {
    const user = await createUser();
    const t = { token: user.token };
    const res = await put(`/${user.username}/events/:_system:language`, { content: "fr" }, t);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.event).toMatchObject({ id: ":_system:language", content: "fr" });
    expect((await get(`/${user.username}/account`, t)).body.account.language).toBe("fr");
    expectError(await put(`/${user.username}/events/:_system:dbDocuments`, { content: 5 }, t), 400, "invalid-operation");
    expectError(await put(`/${user.username}/events/:system:email`, { streamIds: ["x"] }, t), 400, "invalid-operation");
    expectError(await del(`/${user.username}/events/:_system:language`, t), 400, "invalid-operation");
    // Hidden fields are not reachable at all.
    expectError(await get(`/${user.username}/events/:_system:appId`, t), 404, "unknown-resource");
  });
});

describe("events.delete", () => {
  it("trashes first, then deletes, leaving a deletion record", async () => {
    const user = await userWithStreams();
    const t = { token: user.token };
    const event = await createEvent(user, { streamIds: ["diary"] });
    const trashed = await del(`/${user.username}/events/${event.id}`, t);
    expect(trashed.body.event).toMatchObject({ id: event.id, trashed: true });
    expect(trashed.body.event.integrity).toBe(await eventIntegrity(trashed.body.event));
    const deleted = await del(`/${user.username}/events/${event.id}`, t);
    expect(deleted.body.eventDeletion).toEqual({ id: event.id, deleted: expect.any(Number) });
    const after = await get(`/${user.username}/events/${event.id}`, t);
    expect(after.status).toBe(200);
    expect(after.body.event).toMatchObject({ id: event.id, deleted: deleted.body.eventDeletion.deleted });
    // Gone for good: not updatable, not deletable again, id not reusable.
    expectError(await put(`/${user.username}/events/${event.id}`, { content: "x" }, t), 404, "unknown-resource");
    expectError(await del(`/${user.username}/events/${event.id}`, t), 404, "unknown-resource");
    expectError(await post(`/${user.username}/events`, { id: event.id, streamIds: ["diary"], type: "note/txt", content: "x" }, t), 409, "item-already-exists");
  });

  it("untrashing brings an event back", async () => {
    const user = await userWithStreams();
    const t = { token: user.token };
    const event = await createEvent(user, { streamIds: ["diary"] });
    await del(`/${user.username}/events/${event.id}`, t);
    const restored = await put(`/${user.username}/events/${event.id}`, { trashed: false }, t);
    expect(restored.body.event).not.toHaveProperty("trashed");
  });
});

// Last, over everything the tests above wrote (vitest runs a file's tests in order).
describe("integrity of what is stored", () => {
  it("every event these tests wrote, as GET returns it, past versions and deletions included, verifies", async () => {
    expect(await expectStoredIntegrity()).toBeGreaterThan(10);
  });
});
