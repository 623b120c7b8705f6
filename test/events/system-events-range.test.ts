/**
 * The account's field events (email, language, storage counters) in an
 * events.get over every stream: in without a time range, out with one (as
 * the reference, which dates them at the time of reading); named streams
 * keep them.
 */
import { describe, expect, it } from "vitest";
import { post } from "../helpers/api";
import { createEvent, createStream, getEvents, ids } from "../helpers/data";
import { createUser } from "../helpers/users";

const FIELD_EVENTS = [":_system:attachedFiles", ":_system:dbDocuments", ":_system:language", ":system:email"];
const around = () => ({ fromTime: Date.now() / 1000 - 3600, toTime: Date.now() / 1000 + 3600 });

describe("events.get: the account's field events and time ranges", () => {
  it("a personal token over every stream with a range containing them gets the person's own events only", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const own = await createEvent(user, { streamIds: ["diary"], type: "note/txt", content: "today" });
    // The field events are dated when the account was made: within this range.
    const fieldEvents = (await getEvents(user, { streams: ":_system:account" })).events;
    expect(fieldEvents.length).toBe(FIELD_EVENTS.length);
    for (const event of fieldEvents) expect(Math.abs(event.time - Date.now() / 1000)).toBeLessThan(600);
    const inRange = ids((await getEvents(user, around())).events);
    expect(inRange).toEqual([own.id]);
    expect(ids((await getEvents(user, { ...around(), streams: "*" })).events)).toEqual([own.id]);
    expect(ids((await getEvents(user, { fromTime: Date.now() / 1000 - 3600 })).events)).toEqual([own.id]);
    expect(ids((await getEvents(user, { toTime: Date.now() / 1000 + 60 })).events)).toEqual([own.id]);
  });

  it("without a time range they are in, as today; named system streams keep them with a range", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const own = await createEvent(user, { streamIds: ["diary"], type: "note/txt", content: "today" });
    const all = ids((await getEvents(user)).events);
    expect(all).toEqual(expect.arrayContaining([own.id, ...FIELD_EVENTS]));
    const named = ids((await getEvents(user, { ...around(), streams: ":_system:account" })).events);
    expect(named.sort()).toEqual([...FIELD_EVENTS].sort());
    // An OR with a named system stream: that clause keeps them, the `*` one does not add them twice.
    const either = await getEvents(user, { ...around(), streams: JSON.stringify([{ any: ["*"] }, { any: [":_system:language"] }]) });
    expect(ids(either.events).sort()).toEqual([own.id, ":_system:language"].sort());
  });

  it("app tokens: their own scope without a range, a granted field event left out with one (as for personal tokens)", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const own = await createEvent(user, { streamIds: ["diary"], type: "note/txt", content: "today" });
    const permissions = [
      { streamId: "diary", level: "read" },
      { streamId: ":_system:language", level: "read" },
    ];
    const app = await post(`/${user.username}/accesses`, { name: "reader", type: "app", permissions }, { token: user.token });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const token = app.body.access.token as string;
    expect(ids((await getEvents(user, {}, token)).events).sort()).toEqual([own.id, ":_system:language"].sort());
    expect(ids((await getEvents(user, around(), token)).events)).toEqual([own.id]);
    expect(ids((await getEvents(user, { ...around(), streams: ":_system:language" }, token)).events)).toEqual([":_system:language"]);
  });
});
