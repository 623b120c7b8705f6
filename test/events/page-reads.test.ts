/**
 * events.get reads pages of PAGE_ROWS rows as the answer is streamed, and no
 * more than it sends: the last wanted event ends the reading (a default read
 * of 20 is one query, not one more page of 500 read and thrown away).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { findUserByUsername } from "../../src/account/account.store";
import { createDb } from "../../src/db/client";
import { queryEvents, resolveScope } from "../../src/events/events.query";
import { eventsGetParams } from "../../src/events/events.schema";
import { parseStreamsQuery } from "../../src/events/streams-query";
import { loadStreamTree } from "../../src/streams/streams.store";
import { post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { recordingD1 } from "../helpers/db";
import { createUser } from "../helpers/users";

describe("events.get page reads", () => {
  it("stop at the limit", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const calls = Array.from({ length: 1000 }, (_, i) => ({
      method: "events.create",
      params: { streamIds: ["diary"], type: "count/generic", content: i, time: 1.7e9 + i * 60 },
    }));
    expect((await post(`/${user.username}/`, calls, { token: user.token })).status).toBe(200);
    const record = (await findUserByUsername(createDb(env.DB), user.username))!;

    /** Events read and statements run for `query`, consumed to the end as the HTTP stream does. */
    const read = async (query: Record<string, unknown>) => {
      const sent: [string, unknown[]][] = [];
      const db = createDb(recordingD1(sent));
      const p = eventsGetParams.parse(query);
      const scope = resolveScope(await loadStreamTree(createDb(env.DB), record.id), parseStreamsQuery(p.streams), p.state);
      let events = 0;
      for await (const item of await queryEvents(db, record, p, scope, Date.now() / 1000)) events += item.values().length;
      // Page reads only: a stream's size is counted once per isolate (stream-sizes.ts), not per read.
      return { events, statements: sent.filter(([text]) => text.includes("e.json AS json")).length };
    };
    expect(await read({ streams: "diary" })).toEqual({ events: 20, statements: 1 });
    expect(await read({ streams: "diary", limit: 500 })).toEqual({ events: 500, statements: 1 });
    expect(await read({ streams: "diary", limit: 600 })).toEqual({ events: 600, statements: 2 });
    // The second full page may be the last: only a third read (of at most 10 rows) can tell.
    expect(await read({ streams: "diary", skip: 990, limit: 20 })).toEqual({ events: 10, statements: 3 });
    // A time range has no default limit: pages until one is short, plus the running periods' query.
    expect(await read({ streams: "diary", fromTime: 1.7e9, toTime: 1.8e9 })).toEqual({ events: 1000, statements: 4 });
    expect(await read({ streams: "diary", limit: 0 })).toEqual({ events: 0, statements: 0 });
  });
});
