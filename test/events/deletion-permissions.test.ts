/**
 * Hardening item 5 (events): `includeDeletions` lists an event's deletion
 * record only to a token that could read the event: one of the streams it was
 * in is readable — a live stream by its permission now, a deleted one by its
 * permission where that stream was. The personal token sees every deletion;
 * syncs keep their scope-exit deletions (test/events/sync.test.ts).
 */
import { describe, expect, it } from "vitest";
import { del, expectError, get, put } from "../helpers/api";
import { createEvent, createStream, getEvents, ids } from "../helpers/data";
import { run } from "../helpers/db";
import { healthAndSecret, shareToken } from "../helpers/leaks-sharing";
import { createUser, type TestUser } from "../helpers/users";

/** Trashes, then deletes. */
async function deleteTwice(user: TestUser, path: string, query: Record<string, string | boolean> = {}) {
  for (let step = 0; step < 2; step++) {
    const res = await del(`/${user.username}/${path}`, { token: user.token, query });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

const deletionIds = async (user: TestUser, token: string, query: Record<string, string> = {}) =>
  ids((await getEvents(user, { modifiedSince: 0, includeDeletions: true, ...query }, token)).eventDeletions!).sort();

/** Deleted: one event in each of health and secret, and one with each of the streams health/old-notes and secret/hiv-positive-2026. */
async function accountWithDeletions() {
  const user = await createUser();
  await healthAndSecret(user);
  await createStream(user, { name: "Old notes", parentId: "health" });
  await createStream(user, { name: "HIV positive 2026", parentId: "secret" });
  const inHealth = await createEvent(user, { streamIds: ["health"] });
  const inSecret = await createEvent(user, { streamIds: ["secret"], content: "diagnosis: very private" });
  const inOldNotes = await createEvent(user, { streamIds: ["old-notes"] });
  const inHiv = await createEvent(user, { streamIds: ["hiv-positive-2026"] });
  await deleteTwice(user, `events/${inHealth.id}`);
  await deleteTwice(user, `events/${inSecret.id}`);
  await deleteTwice(user, "streams/old-notes", { mergeEventsWithParent: false });
  await deleteTwice(user, "streams/hiv-positive-2026", { mergeEventsWithParent: false });
  const sorted = (...events: { id: string }[]) => ids(events).sort();
  return { user, inHealth, inSecret, readableByDoctor: sorted(inHealth, inOldNotes), all: sorted(inHealth, inSecret, inOldNotes, inHiv) };
}

describe("events.get includeDeletions", () => {
  it("lists to a shared token only the deletions of events it could read", async () => {
    const { user, readableByDoctor } = await accountWithDeletions();
    const doctor = await shareToken(user, [{ streamId: "health", level: "read" }]);
    expect(await deletionIds(user, doctor)).toEqual(readableByDoctor);
    expect(await deletionIds(user, doctor, { streams: "health" })).toEqual(readableByDoctor);
    const listOnly = await shareToken(user, [{ streamId: "*", level: "create-only" }]);
    expect(await deletionIds(user, listOnly)).toEqual([]);
  });

  it("answers events.getOne of a deleted event with its record only to those who may learn of it (404 for the others)", async () => {
    const { user, inHealth, inSecret } = await accountWithDeletions();
    const doctor = await shareToken(user, [{ streamId: "health", level: "read" }]);
    const one = (id: string, token: string) => get(`/${user.username}/events/${id}`, { token });
    expect((await one(inHealth.id, doctor)).body.event).toMatchObject({ id: inHealth.id, deleted: expect.any(Number) });
    expectError(await one(inSecret.id, doctor), 404, "unknown-resource");
    expect((await one(inSecret.id, user.token)).body.event).toMatchObject({ id: inSecret.id, deleted: expect.any(Number) });
  });

  it("keeps a shared token's sync whole: an event it could read that left its scope still comes as a deletion", async () => {
    const user = await createUser();
    await healthAndSecret(user);
    const moved = await createEvent(user, { streamIds: ["health"] });
    expect((await put(`/${user.username}/events/${moved.id}`, { streamIds: ["secret"] }, { token: user.token })).status).toBe(200);
    const doctor = await shareToken(user, [{ streamId: "health", level: "read" }]);
    expect(await deletionIds(user, doctor, { streams: "health" })).toEqual([moved.id]);
  });

  it("lists every deletion to the personal token", async () => {
    const { user, all } = await accountWithDeletions();
    expect(await deletionIds(user, user.token)).toEqual(all);
  });

  it("keeps deletion records without a recorded place (older than the record) for the personal token", async () => {
    const user = await createUser();
    await healthAndSecret(user);
    await run(
      `INSERT INTO events (user_id, id, stream_ids, created, created_by, modified, modified_by, serial, deleted)
       SELECT id, 'legacy-deleted-event', '[]', 1, 'x', 1, 'x', 0, 1 FROM users WHERE username = ?`,
      user.username,
    );
    const everything = await shareToken(user, [{ streamId: "*", level: "manage" }]);
    expect(await deletionIds(user, everything)).toEqual([]);
    expect(await deletionIds(user, user.token)).toEqual(["legacy-deleted-event"]);
  });
});
