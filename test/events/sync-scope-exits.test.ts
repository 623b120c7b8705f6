/**
 * The live-changes issue, "Sync sees every scope exit": a sync since T
 * reports as a deletion every event the caller could read within the query's
 * scope at T and cannot now — with or without `streams` (without, the scope
 * is everything the token may read) — and never one it could not read then.
 */
import { describe, expect, it } from "vitest";
import { put } from "../helpers/api";
import { createEvent, createStream, getEvents, ids } from "../helpers/data";
import { accessToken } from "../helpers/leaks-sharing";
import { createUser, type TestUser } from "../helpers/users";

type Caller = "shared" | "app" | "personal";

/** The caller's token with these permissions (the personal token reads everything). */
async function tokenOf(user: TestUser, caller: Caller, permissions: Record<string, unknown>[]) {
  return caller === "personal" ? user.token : accessToken(user, caller, permissions);
}

/** What a sync since `anchor` answers, with `streams` or without. */
async function sync(user: TestUser, token: string, anchor: number, streams?: string) {
  const query = { modifiedSince: anchor, includeDeletions: true, ...(streams ? { streams } : {}) };
  const body = await getEvents(user, query, token);
  return { events: ids(body.events).filter((id) => !id.startsWith(":")), deletions: ids(body.eventDeletions!) };
}

const anchorAfter = (event: { modified: number }) => event.modified + 0.0000001;

async function move(user: TestUser, path: string, update: Record<string, unknown>) {
  const res = await put(`/${user.username}/${path}`, update, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe("sync scope exits", () => {
  for (const caller of ["shared", "app"] as const) {
    describe(`${caller} token on diary`, () => {
      const setUp = async () => {
        const user = await createUser();
        await createStream(user, { id: "diary", name: "Diary" });
        await createStream(user, { id: "other", name: "Other" });
        await createStream(user, { id: "sub", name: "Sub", parentId: "diary" });
        await createStream(user, { id: "private", name: "Private", parentId: "diary" });
        const token = await tokenOf(user, caller, [
          { streamId: "diary", level: "read" },
          { streamId: "private", level: "none" },
        ]);
        return { user, token };
      };

      for (const streams of [undefined, "diary"]) {
        const named = streams ? "with streams" : "without streams";

        it(`reports an event whose streamIds left the scope (${named})`, async () => {
          const { user, token } = await setUp();
          const event = await createEvent(user, { streamIds: ["diary"], time: 1 });
          const anchor = anchorAfter(event);
          await move(user, `events/${event.id}`, { streamIds: ["other"] });
          expect(await sync(user, token, anchor, streams)).toEqual({ events: [], deletions: [event.id] });
        });

        it(`reports the events of a stream moved out of the token's scope (${named})`, async () => {
          const { user, token } = await setUp();
          const event = await createEvent(user, { streamIds: ["sub"], time: 1 });
          const anchor = anchorAfter(event);
          await move(user, "streams/sub", { parentId: "other" });
          expect(await sync(user, token, anchor, streams)).toEqual({ events: [], deletions: [event.id] });
        });

        it(`reports the events of a stream moved under a none entry (${named})`, async () => {
          const { user, token } = await setUp();
          const event = await createEvent(user, { streamIds: ["sub"], time: 1 });
          const anchor = anchorAfter(event);
          await move(user, "streams/sub", { parentId: "private" });
          expect(await sync(user, token, anchor, streams)).toEqual({ events: [], deletions: [event.id] });
        });

        it(`does not tell of an event that left from a masked sub-stream (${named})`, async () => {
          const { user, token } = await setUp();
          const event = await createEvent(user, { streamIds: ["private"], time: 1 });
          const anchor = anchorAfter(event);
          await move(user, `events/${event.id}`, { streamIds: ["other"] });
          expect(await sync(user, token, anchor, streams)).toEqual({ events: [], deletions: [] });
        });

        it(`does not tell of a masked event whose stream moved out of the scope (${named})`, async () => {
          const { user, token } = await setUp();
          await createStream(user, { id: "inner", name: "Inner", parentId: "private" });
          const event = await createEvent(user, { streamIds: ["inner"], time: 1 });
          const anchor = anchorAfter(event);
          await move(user, "streams/inner", { parentId: "other" });
          expect(await sync(user, token, anchor, streams)).toEqual({ events: [], deletions: [] });
        });
      }
    });
  }

  describe("personal token", () => {
    it("reports an exit from the queried streams, and none without streams (it reads everything)", async () => {
      const user = await createUser();
      await createStream(user, { id: "diary", name: "Diary" });
      await createStream(user, { id: "other", name: "Other" });
      const event = await createEvent(user, { streamIds: ["diary"], time: 1 });
      const anchor = anchorAfter(event);
      await move(user, `events/${event.id}`, { streamIds: ["other"] });
      expect(await sync(user, user.token, anchor, "diary")).toEqual({ events: [], deletions: [event.id] });
      expect(await sync(user, user.token, anchor)).toEqual({ events: [event.id], deletions: [] });
    });

    it("reports the events of a stream moved out of the queried streams, and none without streams", async () => {
      const user = await createUser();
      await createStream(user, { id: "diary", name: "Diary" });
      await createStream(user, { id: "other", name: "Other" });
      await createStream(user, { id: "sub", name: "Sub", parentId: "diary" });
      const event = await createEvent(user, { streamIds: ["sub"], time: 1 });
      const anchor = anchorAfter(event);
      await move(user, "streams/sub", { parentId: "other" });
      expect(await sync(user, user.token, anchor, "diary")).toEqual({ events: [], deletions: [event.id] });
      expect(await sync(user, user.token, anchor)).toEqual({ events: [], deletions: [] });
    });
  });
});
