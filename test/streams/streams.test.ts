import { describe, expect, it } from "vitest";
import { del, expectError, get, post, put } from "../helpers/api";
import { accountSnapshot } from "../helpers/db";
import { createEvent, createStream, getEvents, ids, own } from "../helpers/data";
import { createUser } from "../helpers/users";

describe("streams.create", () => {
  it("creates with a client id (slugified as the reference), or an id made from the name", async () => {
    const user = await createUser();
    expect((await createStream(user, { id: "pas encodé de bleu!", name: "Bleu" })).id).toBe("pas-encode-de-bleu");
    expect((await createStream(user, { id: "Keep_Case.v1~x", name: "Case" })).id).toBe("Keep_Case.v1~x");
    expect((await createStream(user, { name: "My Diary" })).id).toBe("my-diary");
    expect((await createStream(user, { name: "my diary", parentId: "my-diary" })).id).toBe("my-diary-2");
    const stream = await createStream(user, { name: "Health", clientData: { color: "red" } });
    expect(stream).toMatchObject({ id: "health", name: "Health", parentId: null, clientData: { color: "red" } });
    expect(stream).toMatchObject({ created: expect.any(Number), createdBy: expect.any(String), modified: expect.any(Number) });
  });

  it("refuses a taken id, a sibling's name (trashed siblings too), reserved ids", async () => {
    const user = await createUser();
    await createStream(user, { id: "a", name: "A" });
    expect(expectError(await post(`/${user.username}/streams`, { id: "a", name: "Other" }, { token: user.token }), 409, "item-already-exists").data).toEqual({ id: "a" });
    expect(expectError(await post(`/${user.username}/streams`, { id: "b", name: "A" }, { token: user.token }), 409, "item-already-exists").data).toEqual({ name: "A" });
    await del(`/${user.username}/streams/a`, { token: user.token });
    expectError(await post(`/${user.username}/streams`, { id: "b", name: "A" }, { token: user.token }), 409, "item-already-exists");
    // Same name under another parent is fine.
    await createStream(user, { id: "other", name: "Other parent" });
    expect((await createStream(user, { id: "c", name: "A", parentId: "other" })).id).toBe("c");
    for (const id of ["*", "null", "undefined"]) {
      expectError(await post(`/${user.username}/streams`, { id, name: `n-${id}` }, { token: user.token }), 400, "invalid-item-id");
    }
  });

  it("refuses an unknown, a trashed or a system parent", async () => {
    const user = await createUser();
    const t = { token: user.token };
    const unknown = await post(`/${user.username}/streams`, { name: "X", parentId: "nope" }, t);
    expect(expectError(unknown, 400, "unknown-referenced-resource").data).toEqual({ parentId: "nope" });
    await createStream(user, { id: "p", name: "P" });
    await del(`/${user.username}/streams/p`, t);
    expectError(await post(`/${user.username}/streams`, { name: "X", parentId: "p" }, t), 400, "invalid-operation");
    expectError(await post(`/${user.username}/streams`, { name: "X", parentId: ":_system:account" }, t), 400, "invalid-operation");
  });

  it("refuses bad params", async () => {
    const user = await createUser();
    const t = { token: user.token };
    for (const body of [{}, { name: "" }, { name: "x", extra: 1 }, { name: "x", parentId: "" }, { name: 3 }, { name: "x", clientData: "no" }]) {
      expectError(await post(`/${user.username}/streams`, body, t), 400, "invalid-parameters-format");
    }
  });
});

describe("streams.get", () => {
  it("returns the tree by name, with any depth, the account's system streams last", async () => {
    const user = await createUser();
    await createStream(user, { id: "b", name: "B" });
    await createStream(user, { id: "a", name: "A" });
    let parent = "a";
    for (let depth = 0; depth < 30; depth++) parent = (await createStream(user, { id: `d${depth}`, name: `D${depth}`, parentId: parent })).id;
    const res = await get(`/${user.username}/streams`, { token: user.token });
    expect(res.body.streams.map((s: { id: string }) => s.id)).toEqual(["a", "b", ":_system:account"]);
    let node = res.body.streams[0];
    for (let depth = 0; depth < 30; depth++) node = node.children[0];
    expect(node.id).toBe("d29");
    const account = res.body.streams[2];
    expect(account.children.map((s: { id: string }) => s.id)).toEqual([":_system:language", ":_system:storageUsed", ":system:email"]);
  });

  it("parentId, state and includeDeletionsSince", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "p", name: "P" });
    await createStream(user, { id: "c1", name: "C1", parentId: "p" });
    await createStream(user, { id: "c2", name: "C2", parentId: "p" });
    await createStream(user, { id: "gone", name: "Gone" });
    expect(ids((await get(`/${user.username}/streams`, { ...t, query: { parentId: "p" } })).body.streams)).toEqual(["c1", "c2"]);
    expectError(await get(`/${user.username}/streams`, { ...t, query: { parentId: "nope" } }), 400, "unknown-referenced-resource");

    await del(`/${user.username}/streams/c1`, t); // trashed
    expect(ids((await get(`/${user.username}/streams`, { ...t, query: { parentId: "p" } })).body.streams)).toEqual(["c2"]);
    const all = (await get(`/${user.username}/streams`, { ...t, query: { parentId: "p", state: "all" } })).body.streams;
    expect(all.find((s: { id: string }) => s.id === "c1").trashed).toBe(true);

    const before = Date.now() / 1000 - 1;
    await del(`/${user.username}/streams/gone`, t);
    await del(`/${user.username}/streams/gone`, t);
    const withDeletions = await get(`/${user.username}/streams`, { ...t, query: { includeDeletionsSince: before } });
    expect(withDeletions.body.streamDeletions).toEqual([{ id: "gone", deleted: expect.any(Number) }]);
    expect(ids(withDeletions.body.streams)).not.toContain("gone");
  });
});

describe("streams.update", () => {
  it("renames, moves, changes clientData and trashes", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "a", name: "A" });
    await createStream(user, { id: "b", name: "B" });
    const res = await put(`/${user.username}/streams/b`, { name: "Bee", parentId: "a", clientData: { k: 1 } }, t);
    expect(res.status).toBe(200);
    expect(res.body.stream).toMatchObject({ id: "b", name: "Bee", parentId: "a", clientData: { k: 1 } });
    expect((await put(`/${user.username}/streams/b`, { trashed: true }, t)).body.stream.trashed).toBe(true);
    expect((await put(`/${user.username}/streams/b`, { parentId: null, trashed: false }, t)).body.stream).toMatchObject({ parentId: null });
  });

  it("refuses moving under itself or a descendant, name clashes, unknown ids, system streams, protected fields", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "a", name: "A" });
    await createStream(user, { id: "b", name: "B", parentId: "a" });
    await createStream(user, { id: "c", name: "C", parentId: "b" });
    await createStream(user, { id: "x", name: "X" });
    const before = await accountSnapshot(user.username);
    expectError(await put(`/${user.username}/streams/a`, { parentId: "a" }, t), 400, "invalid-operation");
    expectError(await put(`/${user.username}/streams/a`, { parentId: "c" }, t), 400, "invalid-operation");
    expectError(await put(`/${user.username}/streams/x`, { name: "A" }, t), 409, "item-already-exists");
    expectError(await put(`/${user.username}/streams/c`, { parentId: null, name: "X" }, t), 409, "item-already-exists");
    expectError(await put(`/${user.username}/streams/nope`, { name: "N" }, t), 404, "unknown-resource");
    expectError(await put(`/${user.username}/streams/x`, { parentId: "nope" }, t), 400, "unknown-referenced-resource");
    expectError(await put(`/${user.username}/streams/:_system:language`, { name: "L" }, t), 400, "invalid-operation");
    expectError(await put(`/${user.username}/streams/x`, { id: "y" }, t), 403, "forbidden");
    expectError(await put(`/${user.username}/streams/x`, { foo: 1 }, t), 400, "invalid-parameters-format");
    expect(await accountSnapshot(user.username)).toEqual(before);
  });
});

describe("streams.delete", () => {
  it("trashes first, then deletes with its descendants (an empty stream needs no merge decision)", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "a", name: "A" });
    await createStream(user, { id: "b", name: "B", parentId: "a" });
    expect((await del(`/${user.username}/streams/a`, t)).body.stream).toMatchObject({ id: "a", trashed: true });
    const deleted = await del(`/${user.username}/streams/a`, t);
    expect(deleted.body).toMatchObject({ streamDeletion: { id: "a", deleted: expect.any(Number) }, updatedEvents: [] });
    expect((await get(`/${user.username}/streams`, { ...t, query: { state: "all" } })).body.streams.map((s: { id: string }) => s.id)).toEqual([":_system:account"]);
    // The id can be used again.
    expect((await createStream(user, { id: "a", name: "A again" })).id).toBe("a");
  });

  it("asks what to do with events, then merges them into the parent or removes the stream from them", async () => {
    const user = await createUser();
    const t = { token: user.token };
    await createStream(user, { id: "p", name: "P" });
    await createStream(user, { id: "c", name: "C", parentId: "p" });
    await createStream(user, { id: "o", name: "O" });
    const inChild = await createEvent(user, { streamIds: ["c"] });
    const inChildAndOther = await createEvent(user, { streamIds: ["c", "o"] });
    await del(`/${user.username}/streams/c`, t);
    const before = await accountSnapshot(user.username);
    const missing = await del(`/${user.username}/streams/c`, t);
    expect(expectError(missing, 400, "invalid-parameters-format").message).toMatch(/mergeEventsWithParent/);
    expect(await accountSnapshot(user.username)).toEqual(before);

    const merged = await del(`/${user.username}/streams/c`, { ...t, query: { mergeEventsWithParent: true } });
    expect(merged.body.updatedEvents).toEqual(
      expect.arrayContaining([
        { id: inChild.id, action: "mergedToParent" },
        { id: inChildAndOther.id, action: "mergedToParent" },
      ]),
    );
    expect((await get(`/${user.username}/events/${inChild.id}`, t)).body.event.streamIds).toEqual(["p"]);
    expect((await get(`/${user.username}/events/${inChildAndOther.id}`, t)).body.event.streamIds).toEqual(["o", "p"]);

    const single = await createEvent(user, { streamIds: ["p"] });
    await del(`/${user.username}/streams/p`, t);
    const root = await del(`/${user.username}/streams/p`, { ...t, query: { mergeEventsWithParent: true } });
    expectError(root, 400, "invalid-operation");
    const removed = await del(`/${user.username}/streams/p`, { ...t, query: { mergeEventsWithParent: false } });
    expect(removed.body.updatedEvents).toEqual(
      expect.arrayContaining([
        { id: single.id, action: "deleted" },
        { id: inChildAndOther.id, action: "updatedStreamIds" },
      ]),
    );
    expect((await get(`/${user.username}/events/${single.id}`, t)).body.event).toEqual({
      id: single.id,
      deleted: expect.any(Number),
      integrity: expect.stringMatching(/^EVENT:0:sha256-/),
    });
    expect(ids(own((await getEvents(user)).events))).toEqual([inChildAndOther.id]);
  });

  it("refuses unknown and system streams", async () => {
    const user = await createUser();
    expectError(await del(`/${user.username}/streams/nope`, { token: user.token }), 404, "unknown-resource");
    expectError(await del(`/${user.username}/streams/:_system:account`, { token: user.token }), 400, "invalid-operation");
  });
});
