/**
 * events.get by the size of its stream lists (src/events/stream-sizes.ts):
 * a list holding LARGE_LIST events or more, or half of the account's, is judged per row by a probe
 * instead of gathering its whole id set; a query of one tiny list starts
 * from that list's events. Every form must answer the same events: checked
 * here against what was written, through every filter that shares the
 * condition (children, exclusions, types, trashed, an app's readable
 * streams, skip, both orders, several pages, a small stream).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { findUserByUsername } from "../../src/account/account.store";
import { createDb } from "../../src/db/client";
import { LARGE_LIST, listSizes } from "../../src/events/stream-sizes";
import { get, post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { createUser } from "../helpers/users";

const T0 = 1_700_000_000;

describe("events.get on a stream of many events", () => {
  it("answers as written: the big stream probed per row, a tiny one read from its own events", { timeout: 120_000 }, async () => {
    const user = await createUser();
    await createStream(user, { id: "big", name: "Big" });
    await createStream(user, { id: "child", name: "Child", parentId: "big" });
    await createStream(user, { id: "small", name: "Small" });
    interface Written {
      id: string;
      time: number;
      streamIds: string[];
      type: string;
      trashed: boolean;
    }
    const written: Written[] = [];
    const total = LARGE_LIST + 200;
    for (let from = 0; from < total; from += 1000) {
      const calls = Array.from({ length: Math.min(1000, total - from) }, (_, k) => {
        const i = from + k;
        const streamIds = i % 97 === 0 ? ["child"] : i % 50 === 0 ? ["big", "small"] : ["big"];
        const type = i % 3 === 0 ? "count/generic" : "note/txt";
        return { method: "events.create", params: { streamIds, type, content: type === "note/txt" ? `n${i}` : i, time: T0 + i, trashed: i % 40 === 7 } };
      });
      const res = await post(`/${user.username}/`, calls, { token: user.token });
      expect(res.status).toBe(200);
      res.body.results.forEach((r: { event: Written & { trashed?: boolean } }) =>
        written.push({ id: r.event.id, time: r.event.time, streamIds: r.event.streamIds, type: r.event.type, trashed: r.event.trashed === true }),
      );
    }
    const record = (await findUserByUsername(createDb(env.DB), user.username))!;
    const sizeOf = await listSizes(createDb(env.DB), record.id, [["big", "child"], ["small"], ["child"]]);
    expect([sizeOf(["big", "child"]), sizeOf(["small"]), sizeOf(["child"]), sizeOf(["other"])]).toEqual(["large", "tiny", "tiny", null]);

    const app = (
      await post(`/${user.username}/accesses`, { name: "reader", type: "app", permissions: [{ streamId: "big", level: "read" }] }, { token: user.token })
    ).body.access;
    const ids = async (query: Record<string, string | number | boolean | string[]>, token = user.token) => {
      const res = await get(`/${user.username}/events`, { token, query });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
      return res.body.events.map((e: { id: string }) => e.id) as string[];
    };
    const inBig = (w: Written) => w.streamIds.some((s) => s === "big" || s === "child");
    const latest = (list: Written[], n: number, skip = 0) =>
      [...list].sort((a, b) => b.time - a.time).slice(skip, skip + n).map((w) => w.id);
    const live = written.filter((w) => !w.trashed);

    expect(await ids({ streams: "big" })).toEqual(latest(live.filter(inBig), 20));
    expect(await ids({ streams: "big", skip: 30, limit: 10 })).toEqual(latest(live.filter(inBig), 10, 30));
    expect(await ids({ streams: "big", limit: 1200 })).toEqual(latest(live.filter(inBig), 1200)); // three pages of 500
    expect(await ids({ streams: "big", types: ["count/generic"], limit: 50 })).toEqual(
      latest(live.filter((w) => inBig(w) && w.type === "count/generic"), 50),
    );
    expect(await ids({ streams: "big", state: "trashed", limit: 30 })).toEqual(latest(written.filter((w) => inBig(w) && w.trashed), 30));
    expect(await ids({ streams: JSON.stringify({ any: ["big"], not: ["small", "child"] }), limit: 40 })).toEqual(
      latest(live.filter((w) => w.streamIds.includes("big") && !w.streamIds.includes("small")), 40),
    );
    expect(await ids({ streams: "small", limit: 500 })).toEqual(latest(live.filter((w) => w.streamIds.includes("small")), 500));
    const inChild = [...live.filter((w) => w.streamIds.includes("child"))].sort((a, b) => a.time - b.time).map((w) => w.id);
    expect(await ids({ streams: "child", sortAscending: true, skip: 5, limit: 10 })).toEqual(inChild.slice(5, 15));
    const oldest = [...live.filter(inBig)].sort((a, b) => a.time - b.time).slice(0, 25).map((w) => w.id);
    expect(await ids({ streams: "big", sortAscending: true, limit: 25 })).toEqual(oldest);
    // An app reads through its readable streams (a large list too): the same events.
    expect(await ids({ limit: 60 }, app.token)).toEqual(latest(live.filter(inBig), 60));
  });

  it("probes a list holding half of the account's events or more, and answers the same", { timeout: 60_000 }, async () => {
    const user = await createUser();
    await createStream(user, { id: "most", name: "Most" });
    await createStream(user, { id: "some", name: "Some" });
    // 700 events in "most" (the older ones), 500 in "some": both lists between TINY_LIST and LARGE_LIST.
    const calls = Array.from({ length: 1200 }, (_, i) => ({
      method: "events.create",
      params: { streamIds: [i < 700 ? "most" : "some"], type: "count/generic", content: i, time: T0 + i },
    }));
    const written: { id: string; time: number; streamIds: string[] }[] = [];
    for (const part of [calls.slice(0, 600), calls.slice(600)]) {
      const res = await post(`/${user.username}/`, part, { token: user.token });
      expect(res.status).toBe(200);
      written.push(...res.body.results.map((r: { event: { id: string; time: number; streamIds: string[] } }) => r.event));
    }
    const record = (await findUserByUsername(createDb(env.DB), user.username))!;
    const sizeOf = await listSizes(createDb(env.DB), record.id, [["most"], ["some"]]);
    expect([sizeOf(["most"]), sizeOf(["some"])]).toEqual(["large", "small"]);
    const latestOf = (stream: string, n: number) =>
      written.filter((w) => w.streamIds.includes(stream)).sort((a, b) => b.time - a.time).slice(0, n).map((w) => w.id);
    for (const stream of ["most", "some"]) {
      const res = await get(`/${user.username}/events`, { token: user.token, query: { streams: stream, limit: 30 } });
      expect(res.body.events.map((e: { id: string }) => e.id)).toEqual(latestOf(stream, 30));
    }
  });
});
