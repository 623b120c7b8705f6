/**
 * The FAQ's sync recipe, step by step: initialise with a time range, take the
 * newest `modified` (+0.0000001) as anchor, then `modifiedSince=anchor&
 * includeDeletions=true` returns what changed and what was deleted — nothing
 * missed, nothing repeated. Beyond the reference: an event leaving the synced
 * scope (streamIds changed, stream moved, trashed) comes as a deletion.
 */
import { describe, expect, it } from "vitest";
import { del, put } from "../helpers/api";
import { createEvent, createStream, getEvents, ids } from "../helpers/data";
import { createUser, type TestUser } from "../helpers/users";

const RANGE = { fromTime: 0, toTime: 10_000 };

async function sync(user: TestUser, streams: string, anchor: number) {
  return getEvents(user, { streams, ...RANGE, modifiedSince: anchor, includeDeletions: true });
}

const anchorOf = (events: { modified: number }[], previous = 0) =>
  Math.max(previous, ...events.map((e) => e.modified)) + 0.0000001;

describe("sync (FAQ recipe)", () => {
  it("returns changes and deletions since the anchor, then nothing", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "diary", name: "Diary" });
    await createStream(user, { id: "other", name: "Other" });
    const kept = await createEvent(user, { streamIds: ["diary"], time: 1 });
    const changed = await createEvent(user, { streamIds: ["diary"], time: 2 });
    const deleted = await createEvent(user, { streamIds: ["diary"], time: 3 });
    const trashed = await createEvent(user, { streamIds: ["diary"], time: 4 });
    const leaving = await createEvent(user, { streamIds: ["diary"], time: 5 });

    // 1-3. Initialise with a time range, anchor on the newest `modified`.
    const initial = await getEvents(user, { streams: "diary", ...RANGE });
    expect(ids(initial.events).sort()).toEqual([kept, changed, deleted, trashed, leaving].map((e) => e.id).sort());
    const anchor = anchorOf(initial.events);

    // Changes by another client.
    await put(`/${user.username}/events/${changed.id}`, { content: "new" }, t);
    await del(`/${user.username}/events/${deleted.id}`, t);
    await del(`/${user.username}/events/${deleted.id}`, t);
    await del(`/${user.username}/events/${trashed.id}`, t);
    await put(`/${user.username}/events/${leaving.id}`, { streamIds: ["other"] }, t);
    const added = await createEvent(user, { streamIds: ["diary"], time: 6 });
    await createEvent(user, { streamIds: ["other"], time: 7 }); // outside the scope

    // 4. Sync.
    const first = await sync(user, "diary", anchor);
    expect(ids(first.events).sort()).toEqual([changed.id, added.id].sort());
    expect(first.events.find((e) => e.id === changed.id)!.content).toBe("new");
    expect(ids(first.eventDeletions!).sort()).toEqual([deleted.id, trashed.id, leaving.id].sort());

    // The next sync, anchored on what was seen, repeats nothing.
    const next = anchorOf([...first.events, ...first.eventDeletions!.map((d) => ({ modified: d.deleted }))], anchor);
    const second = await sync(user, "diary", next);
    expect(second.events).toEqual([]);
    expect(second.eventDeletions).toEqual([]);
  });

  it("sees events leave and enter a scope when their stream moves", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "diary", name: "Diary" });
    await createStream(user, { id: "archive", name: "Archive" });
    await createStream(user, { id: "sub", name: "Sub", parentId: "diary" });
    const event = await createEvent(user, { streamIds: ["sub"], time: 1 });
    const anchorDiary = anchorOf((await getEvents(user, { streams: "diary", ...RANGE })).events);
    const anchorArchive = anchorOf([{ modified: event.modified }]);

    await put(`/${user.username}/streams/sub`, { parentId: "archive" }, t);

    const diary = await sync(user, "diary", anchorDiary);
    expect(diary.events).toEqual([]);
    expect(ids(diary.eventDeletions!)).toEqual([event.id]);
    const archive = await sync(user, "archive", anchorArchive);
    expect(ids(archive.events)).toEqual([event.id]);
    expect(archive.eventDeletions).toEqual([]);
  });

  it("sees an event enter a scope when streamIds gain a stream of it", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "a", name: "A" });
    await createStream(user, { id: "b", name: "B" });
    const event = await createEvent(user, { streamIds: ["a"], time: 1 });
    const anchor = anchorOf([event]);
    await put(`/${user.username}/events/${event.id}`, { streamIds: ["a", "b"] }, t);
    expect(ids((await sync(user, "b", anchor)).events)).toEqual([event.id]);
  });

  it("always answers eventDeletions when asked (the pryv client's parser needs the array)", async () => {
    const user = await createUser();
    await createStream(user, { id: "a", name: "A" });
    expect((await getEvents(user, { includeDeletions: true })).eventDeletions).toEqual([]);
  });
});
