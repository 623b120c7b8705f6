import { describe, expect, it } from "vitest";
import { connect as connectAccount, pryv, routeClientToWorker } from "../helpers/pryv-client";

routeClientToWorker();

/** A new account's Connection. */
const connect = async () => (await connectAccount()).connection;

describe("official pryv client: data API", () => {
  it("creates streams and events with api([...]) and reads them back with get()", async () => {
    const connection = await connect();
    const results: any[] = await connection.api([
      { method: "streams.create", params: { id: "data", name: "Data" } },
      { method: "streams.create", params: { id: "child", name: "Child", parentId: "data" } },
      { method: "streams.create", params: { id: "data", name: "Again" } },
      { method: "events.create", params: { streamIds: ["data"], type: "note/txt", content: "first" } },
      { method: "events.create", params: { streamIds: ["child"], type: "mass/kg", content: 71.2 } },
      { method: "events.create", params: { id: `c${"x1y2z3".repeat(4)}`, streamIds: ["data"], type: "note/txt", content: "to delete" } },
      { method: "events.delete", params: { id: `c${"x1y2z3".repeat(4)}` } },
      { method: "events.delete", params: { id: `c${"x1y2z3".repeat(4)}` } },
    ]);
    expect(results[0].stream.id).toBe("data");
    expect(results[2].error.id).toBe("item-already-exists");
    expect(results[6].event.trashed).toBe(true);
    expect(results[7].eventDeletion.id).toBe(`c${"x1y2z3".repeat(4)}`);

    const tree: any = await connection.get("streams", null);
    expect(tree.streams[0]).toMatchObject({ id: "data", children: [{ id: "child" }] });
    const one: any = await connection.get("events", { limit: 1 });
    expect(one.events).toHaveLength(1);
    const notes: any = await connection.get("events", { fromTime: 0, toTime: Date.now() / 1000 + 1, limit: 10000, types: ["note/txt"], streams: ["data", "child"] });
    expect(notes.events.map((e: { content: string }) => e.content)).toEqual(["first"]);
    const weights: any = await connection.apiOne("events.get", { streams: ["child"] }, "events");
    expect(weights.map((e: { content: number }) => e.content)).toEqual([71.2]);
    await expect(connection.apiOne("invalid.method", {})).rejects.toThrow();
  });

  it("getEventsStreamed parses the streamed answer, deletions included", async () => {
    const connection = await connect();
    const calls = [{ method: "streams.create", params: { id: "data", name: "Data" } }];
    for (let i = 0; i < 250; i++) {
      calls.push({ method: "events.create", params: { streamIds: ["data"], type: "note/txt", content: `note ${i} — é ü 漢字 🙂`, time: 1000 + i } } as any);
    }
    const created: any[] = await connection.api(calls);
    const gone = created[1].event.id;
    await connection.api([{ method: "events.delete", params: { id: gone } }, { method: "events.delete", params: { id: gone } }]);
    const trashed = created[2].event.id;
    await connection.api([{ method: "events.delete", params: { id: trashed } }]);

    const seen: any[] = [];
    const result: any = await connection.getEventsStreamed({ streams: ["data"], fromTime: 0, toTime: 5000 }, (e: any) => seen.push(e));
    expect(result.eventsCount).toBe(248);
    expect(seen[0].content).toBe("note 249 — é ü 漢字 🙂");
    expect(seen.every((e) => !e.content.includes("\uFFFD"))).toBe(true);

    const withDeletions: any[] = [];
    const sync: any = await connection.getEventsStreamed(
      { streams: ["data"], fromTime: 0, toTime: 5000, includeDeletions: true, modifiedSince: 0, state: "all" },
      (e: any) => withDeletions.push(e),
    );
    expect(sync.eventsCount).toBe(249);
    expect(sync.eventDeletionsCount).toBe(1);
    expect(withDeletions.filter((e) => e.deleted).map((e) => e.id)).toEqual([gone]);
    expect(withDeletions.find((e) => e.id === trashed).trashed).toBe(true);

    await expect(connection.getEventsStreamed({ streams: ["bogus", "bogus2"] }, () => {})).rejects.toThrow();
  });

  it("splits big api() calls in chunks and reports progress", async () => {
    const connection = await connect();
    connection.options.chunkSize = 2;
    const progress: number[] = [];
    const results: any[] = await connection.api(
      [
        { method: "streams.create", params: { id: "a", name: "A" } },
        { method: "streams.create", params: { id: "b", name: "B" } },
        { method: "streams.get", params: {} },
      ],
      (percent: number) => progress.push(percent),
    );
    expect(results).toHaveLength(3);
    expect(progress).toEqual([67, 100]);
  });
});

describe("official pryv client: accesses", () => {
  it("creates a shared access, reads it back with its own token, and revokes it", async () => {
    const connection = await connect();
    await connection.api([{ method: "streams.create", params: { id: "data", name: "Data" } }]);
    const [created]: any[] = await connection.api([
      { method: "accesses.create", params: { name: "for-the-doctor", permissions: [{ streamId: "data", level: "read" }] } },
    ]);
    expect(created.access).toMatchObject({ type: "shared", token: expect.any(String), id: expect.any(String) });
    const shared = new pryv.Connection(created.access.apiEndpoint);
    const info: any = await shared.accessInfo();
    expect(info).toMatchObject({ name: "for-the-doctor", token: created.access.token });
    expect(await shared.username()).toBe(await connection.username());
    const listed: any[] = await connection.apiOne("accesses.get", {}, "accesses");
    expect(listed.map((a) => a.token)).toContain(created.access.token);

    await shared.revoke();
    let refused: any = null;
    for (let i = 0; i < 20 && !refused?.error; i++) {
      refused = await shared.get("events", { limit: 1 });
      if (!refused.error) await new Promise((r) => setTimeout(r, 20));
    }
    expect(refused.error.id).toBe("invalid-access-token");
  });
});
