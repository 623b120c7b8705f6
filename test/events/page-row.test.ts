/**
 * events.get reads its pages as JSON text made by SQLite (src/events/page-row.ts):
 * every field must come back as stored — numbers to the last bit, text of any
 * kind, JSON as deep as the API takes — the same event events.getOne gives, by
 * HTTP and in a batch.
 */
import { describe, expect, it } from "vitest";
import { Page } from "../../src/events/page-row";
import { get, post, put } from "../helpers/api";
import { createEvent, createStream, getEvents, own } from "../helpers/data";
import { eventForm, upload } from "../helpers/files";
import { createUser } from "../helpers/users";

/** `[[[…]]]`, `depth` arrays deep. */
const nested = (depth: number): unknown => (depth === 0 ? "bottom" : [nested(depth - 1)]);

describe("events.get page rows", () => {
  it("give every field as stored", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    await createStream(user, { id: "health", name: "Santé" });
    // 17 significant digits: printed with 15, as SQLite prints REALs in JSON, it would come back another number.
    const time = 1700000000.1234567;
    const made = [
      await createEvent(user, {
        streamIds: ["diary", "health"],
        type: "note/txt",
        time,
        duration: 0.1 + 0.2,
        content: "quote \" apostrophe ' backslash \\ é 日本 \u2028 😀 \\u0027",
        description: "line\nbreak \u0000 tab\t",
        // Not files: an `attachments` key in clientData does not make an event one with attachments.
        clientData: { app: { nested: [1, "two", null, true] }, attachments: "none here" },
      }),
      await createEvent(user, {
        streamIds: ["diary"],
        type: "mass/kg",
        time: time + 1,
        content: 1.0000000000000002,
      }),
      await createEvent(user, {
        streamIds: ["diary"],
        type: "test/deep",
        time: time + 2,
        duration: null,
        content: { deep: nested(97), big: 1e21, tiny: 5e-324, negative: -123.456e-7 },
      }),
      await createEvent(user, { streamIds: ["health"], type: "count/generic", time: time + 3, content: 0 }),
    ];
    const trashed = await put(`/${user.username}/events/${made[3]!.id}`, { trashed: true }, { token: user.token });
    expect(trashed.status).toBe(200);
    // The text is made again on every change (the trigger of migration 0017).
    const changed = await put(`/${user.username}/events/${made[1]!.id}`, { content: 1.0000000000000002, description: "changed" }, { token: user.token });
    expect(changed.status).toBe(200);
    const attached = await upload(
      `/${user.username}/events`,
      eventForm({ streamIds: ["diary"], type: "picture/attached", time: time + 4 }, [{ data: "hello", name: "h.txt", type: "text/plain" }]),
      user.token,
    );
    expect(attached.status).toBe(201);

    const latest = own((await getEvents(user, { state: "all" })).events);
    expect(latest.map((e) => e.id)).toEqual([attached.body.event.id, ...made.map((e) => e.id).reverse()]);
    for (const event of latest) {
      const one = await get(`/${user.username}/events/${event.id}`, { token: user.token });
      expect(event).toEqual(one.body.event);
    }
    // A batch call drains the same pages into its answer.
    const batch = await post(`/${user.username}/`, [{ method: "events.get", params: { state: "all" } }], { token: user.token });
    expect(own(batch.body.results[0].events)).toEqual(latest);
    // A range read (another query plan, the same rows): the running period is out, as it does not reach the present.
    const ranged = own((await getEvents(user, { fromTime: time - 1, toTime: time + 10, state: "all" })).events);
    expect(ranged).toEqual(latest.filter((e) => e.duration !== null));
    // A window reaching the present: the running period's query merged in order with the others (time and id read from the text).
    expect(own((await getEvents(user, { fromTime: time - 1, state: "all" })).events)).toEqual(latest);
    const [withFile, zero, deep, precise, text] = latest;
    expect(text).toMatchObject({ time, duration: 0.1 + 0.2, content: made[0]!.content, description: made[0]!.description });
    expect(text!.streamIds).toEqual(["diary", "health"]);
    expect(precise!.content).toBe(1.0000000000000002);
    expect(deep!.duration).toBeNull();
    expect(deep!.content).toEqual({ deep: nested(97), big: 1e21, tiny: 5e-324, negative: -123.456e-7 });
    expect(zero).toMatchObject({ trashed: true, content: 0 });
    expect(zero).not.toHaveProperty("duration");
    expect(latest.every((e) => typeof e.integrity === "string")).toBe(true);
    expect(withFile!.attachments).toHaveLength(1);
    expect(withFile!.attachments[0]).toMatchObject({ fileName: "h.txt", size: 5, readToken: expect.any(String) });
  });

  it("hold big events: a page goes on past what one row may carry", { timeout: 60_000 }, async () => {
    const user = await createUser();
    await createStream(user, { id: "big", name: "Big" });
    // 4 × 700 kB: more than D1 lets one value hold (2 MB), were they joined in one row; short events between them.
    const made = [];
    for (let i = 0; i < 7; i++) {
      const content = i % 2 ? `${i}`.repeat(700_000) : `${i}`;
      const more = i % 2 ? { description: `long ${i}`, clientData: { i }, duration: 0.1 + 0.2 } : {};
      made.push(await createEvent(user, { streamIds: ["big"], type: "test/big", time: 1.7e9 + i, content, ...more }));
    }
    for (const sortAscending of [false, true]) {
      const res = await get(`/${user.username}/events`, { token: user.token, query: { streams: "big", limit: 10, sortAscending } });
      expect(res.status).toBe(200);
      const expected = sortAscending ? made : [...made].reverse();
      expect(res.body.events.map((e: { id: string }) => e.id)).toEqual(expected.map((e) => e.id));
      expect(res.body.events.map((e: { content: string }) => e.content)).toEqual(expected.map((e) => e.content));
    }
    // The long ones, written from their rows, and the short ones, from their stored text: as events.getOne gives them.
    const res = await get(`/${user.username}/events`, { token: user.token, query: { streams: "big", limit: 10 } });
    for (const event of res.body.events) expect(event).toEqual((await get(`/${user.username}/events/${event.id}`, { token: user.token })).body.event);
  });

  it("read as one text, or event by event", () => {
    const texts = ['{"id":"a\\"b","time":2,"x":[1]}', '\x1d{"id":"c","time":1.5e-7,"attachments":[]}'];
    const page = new Page(texts.join("\x1e"));
    expect(page.attached).toBe(true);
    expect(JSON.parse(`[${page.json}]`)).toEqual([{ id: 'a"b', time: 2, x: [1] }, { id: "c", time: 1.5e-7, attachments: [] }]);
    expect(page.values()).toEqual(JSON.parse(`[${page.json}]`));
    const [first, last] = page.events();
    expect([first!.attached, first!.id, first!.time, last!.attached, last!.id, last!.time]).toEqual([false, 'a"b', 2, true, "c", 1.5e-7]);
    expect(page.last().json).toBe(last!.json);
  });
});
