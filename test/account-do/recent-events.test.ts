/**
 * An update of an event the account's Durable Object wrote last starts from
 * its kept copy (src/account-do/recent-events.ts) instead of reading it: every
 * answer and every stored version must be what a read would have given,
 * whatever ran in between.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { del, get, put } from "../helpers/api";
import { createEvent, createStream } from "../helpers/data";
import { upload } from "../helpers/files";
import { createUser } from "../helpers/users";

describe("updates after recent writes", () => {
  it("build each version on the previous one, history included", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const event = await createEvent(user, { streamIds: ["diary"], type: "note/txt", content: "one" });
    const path = `/${user.username}/events/${event.id}`;
    expect((await put(path, { content: "two" }, { token: user.token })).body.event.content).toBe("two");
    const third = await put(path, { description: "three", clientData: { a: 1 } }, { token: user.token });
    expect(third.body.event).toMatchObject({ content: "two", description: "three", clientData: { a: 1 } });
    const stored = await get(path, { token: user.token, query: { includeHistory: true } });
    expect(stored.body.event).toEqual(third.body.event);
    expect(stored.body.history.map((v: { content: string }) => v.content)).toEqual(["one", "two"]);
  });

  it("see what other calls changed in between: trashing, a stream's deletion, an attachment", async () => {
    const user = await createUser();
    await createStream(user, { id: "parent", name: "Parent" });
    await createStream(user, { id: "child", name: "Child", parentId: "parent" });
    const event = await createEvent(user, { streamIds: ["child"], type: "note/txt", content: "x" });
    const path = `/${user.username}/events/${event.id}`;

    expect((await del(path, { token: user.token })).body.event.trashed).toBe(true);
    expect((await put(path, { content: "y" }, { token: user.token })).body.event).toMatchObject({ trashed: true, content: "y" });

    // Deleting `child` merges its events into the parent.
    expect((await del(`/${user.username}/streams/child`, { token: user.token })).status).toBe(200);
    expect((await del(`/${user.username}/streams/child`, { token: user.token, query: { mergeEventsWithParent: true } })).status).toBe(200);
    expect((await put(path, { content: "z" }, { token: user.token })).body.event.streamIds).toEqual(["parent"]);

    const form = new FormData();
    form.append("file", new Blob(["hello"], { type: "text/plain" }), "a.txt");
    expect((await upload(path, form, user.token)).status).toBe(200);
    const after = await put(path, { content: "w" }, { token: user.token });
    expect(after.body.event.attachments).toHaveLength(1);
    const row = await env.DB.prepare("SELECT content, stream_ids FROM events WHERE id = ?").bind(event.id).first<{ content: string; stream_ids: string }>();
    expect(row).toEqual({ content: JSON.stringify("w"), stream_ids: JSON.stringify(["parent"]) });
  });
});
