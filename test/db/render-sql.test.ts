/** The hot-read renderer (src/db/render-sql.ts) gives drizzle's own text and parameters, and leaves to drizzle what it does not know. */
import { env } from "cloudflare:workers";
import { sql, type SQL } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it, vi } from "vitest";
import { findUserByUsername } from "../../src/account/account.store";
import { createDb } from "../../src/db/client";
import { renderSql } from "../../src/db/render-sql";
import { events } from "../../src/db/schema";
import { jsonList } from "../../src/db/sql";
import { queryDeletions, queryEvents, resolveScope } from "../../src/events/events.query";
import { eventsGetParams } from "../../src/events/events.schema";
import { parseStreamsQuery } from "../../src/events/streams-query";
import { loadStreamTree } from "../../src/streams/streams.store";
import { post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { createUser } from "../helpers/users";

const drizzleRendering = (query: SQL) => {
  const { sql: text, params } = new SQLiteAsyncDialect().sqlToQuery(query);
  return { sql: text, params };
};

describe("renderSql", () => {
  it("renders text, nested templates, joins and plain values as drizzle does", () => {
    const cursor = { time: 1.5, id: "c1" };
    const queries: SQL[] = [
      sql`SELECT 1`,
      sql`SELECT ${sql.raw("e.id")} FROM events e WHERE e.user_id = ${7} AND e.id = ${"x"} AND e.trashed = ${false} AND e.duration IS ${null}`,
      sql`SELECT * FROM events e WHERE ${sql.join([sql`a = ${1}`, sql`b IN ${jsonList(["s1", "s2"])}`, sql`(e.time, e.id) < (${cursor.time}, ${cursor.id})`], sql` AND `)} ${sql``} LIMIT ${20}`,
      sql`SELECT ${2n} ${undefined} ${sql`${sql`${"deep"}`}`}`,
    ];
    for (const query of queries) expect(renderSql(query)).toEqual(drizzleRendering(query));
  });

  it("leaves columns, arrays and inlined templates to drizzle", () => {
    expect(renderSql(sql`SELECT ${events.id} FROM events`)).toBeNull();
    expect(renderSql(sql`SELECT 1 WHERE 1 IN ${[1, 2]}`)).toBeNull();
    expect(renderSql(sql`SELECT ${"a"}`.inlineParams())).toBeNull();
    expect(renderSql(sql`SELECT * FROM x WHERE ${sql`${"a"}`.inlineParams()}`)).toBeNull();
  });

  it("serves events.get's page and deletion reads, without falling back to drizzle", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    await createStream(user, { id: "child", name: "Child", parentId: "diary" });
    const calls = Array.from({ length: 30 }, (_, i) => ({
      method: "events.create",
      params: { streamIds: [i % 2 ? "diary" : "child"], type: i % 3 ? "count/generic" : "mass/kg", content: i, time: 1.7e9 + i * 60, ...(i === 5 ? { duration: null } : {}) },
    }));
    const created = await post(`/${user.username}/`, calls, { token: user.token });
    expect(created.status).toBe(200);
    const record = (await findUserByUsername(createDb(env.DB), user.username))!;
    const db = createDb(env.DB);
    const fallback = vi.spyOn(db, "all");
    const shapes: Record<string, unknown>[] = [
      {},
      { streams: "diary" },
      { streams: JSON.stringify({ any: ["diary"], not: ["child"] }) },
      { fromTime: 1.7e9, toTime: 1.7e9 + 600 },
      { types: ["mass/kg"], content: JSON.stringify([{ path: "$", gte: 3 }]) },
      { sortAscending: true, skip: 2, limit: 5 },
      { modifiedSince: 0, includeDeletions: true },
      { state: "all", running: true },
    ];
    for (const query of shapes) {
      const p = eventsGetParams.parse(query);
      const scope = resolveScope(await loadStreamTree(db, record.id), parseStreamsQuery(p.streams), p.state);
      let count = 0;
      for await (const _ of await queryEvents(db, record, p, scope, Date.now() / 1000)) count++;
      expect(count, JSON.stringify(query)).toBeGreaterThan(0);
    }
    // Deletions: a deleted event's record and an exit, for a personal caller and for one told of some streams only.
    const doomed = created.body.results[0].event.id as string;
    const deleted = await post(`/${user.username}/`, [1, 2].map(() => ({ method: "events.delete", params: { id: doomed } })), { token: user.token });
    expect(deleted.body.results.map((r: { eventDeletion?: unknown }) => !!r.eventDeletion)).toEqual([false, true]); // trashed, then deleted
    const sync = eventsGetParams.parse({ modifiedSince: 0, includeDeletions: true });
    const syncScope = resolveScope(await loadStreamTree(db, record.id), parseStreamsQuery(sync.streams), sync.state);
    for (const [told, exits] of [[null, []], [["diary"], [{ id: "gone", deleted: 1.7e9 }]]] as const) {
      let count = 0;
      for await (const _ of queryDeletions(db, record, sync, syncScope, told as string[] | null, exits)) count++;
      expect(count).toBeGreaterThan(0);
    }
    expect(fallback).not.toHaveBeenCalled();
  });
});
