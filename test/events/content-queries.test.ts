import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { findUserByUsername } from "../../src/account/account.store";
import { createDb } from "../../src/db/client";
import { queryEvents, resolveScope } from "../../src/events/events.query";
import { eventsGetParams } from "../../src/events/events.schema";
import { parseStreamsQuery } from "../../src/events/streams-query";
import { loadStreamTree } from "../../src/streams/streams.store";
import { expectError, get, post } from "../helpers/api";
import { createEvent, createStream, getEvents, ids } from "../helpers/data";
import { recordingD1 } from "../helpers/db";
import { createUser, type TestUser } from "../helpers/users";

const T = 1_700_000_000;
const all = { fromTime: 0, toTime: T + 1000 };
const q = (conditions: unknown) => JSON.stringify(conditions);

/** Events with varied content in "meds" and "other" (keyed by name). */
async function fixture() {
  const user = await createUser();
  await createStream(user, { id: "meds", name: "Meds" });
  await createStream(user, { id: "other", name: "Other" });
  const make = (name: string, event: Record<string, unknown>, time: number) =>
    createEvent(user, { streamIds: ["meds"], type: "medication/exposure-assertion-v1", time, ...event }).then((e) => [name, e.id] as const);
  const made = await Promise.all([
    make("progesterone", { content: { drug: { codes: { atc: "G03DA04" } }, taken: true, dose: 5 } }, T + 1),
    make("aspirin", { content: { drug: { codes: { atc: "B01AC06" } }, taken: false, dose: 100 } }, T + 2),
    make("trueString", { content: { drug: { codes: { atc: "G03DA99" } }, taken: "true", dose: "5" } }, T + 3),
    make("trueOne", { content: { taken: 1, dose: 5.5, tag: "50%_off" } }, T + 4),
    make("weight", { type: "mass/kg", content: 72.5, clientData: { "ehr-sync:v2": { externalId: "X-1" } } }, T + 5),
    make("heavier", { type: "mass/kg", content: 80 }, T + 6),
    make("otherStream", { streamIds: ["other"], type: "mass/kg", content: 72.5 }, T + 7),
    make("note", { type: "note/txt", content: "72.5" }, T + 8),
  ]);
  return { user, id: Object.fromEntries(made) as Record<string, string> };
}

async function found(user: TestUser, query: Record<string, string | number | boolean | string[]>, token = user.token) {
  return ids((await getEvents(user, { ...all, ...query }, token)).events).sort();
}

describe("events.get content and clientData conditions", () => {
  it("serves every operator, strict on JSON types, through the query string", async () => {
    const { user, id } = await fixture();
    const pick = (...names: string[]) => names.map((n) => id[n]!).sort();
    const content = (c: unknown) => found(user, { content: q(c) });
    expect(await content([{ path: "drug.codes.atc", eq: "G03DA04" }])).toEqual(pick("progesterone"));
    expect(await content([{ path: "taken", eq: true }])).toEqual(pick("progesterone")); // not "true", not 1
    expect(await content([{ path: "taken", eq: 1 }])).toEqual(pick("trueOne"));
    expect(await content([{ path: "dose", eq: 5 }])).toEqual(pick("progesterone")); // not "5"
    expect(await content([{ path: "taken", neq: true }])).toEqual(pick("aspirin", "trueString", "trueOne")); // a missing path never matches
    expect(await content([{ path: "drug.codes.atc", in: ["G03DA04", "B01AC06", "N02BE01"] }])).toEqual(pick("progesterone", "aspirin"));
    expect(await content([{ path: "taken", in: [false, 1] }])).toEqual(pick("aspirin", "trueOne"));
    expect(await content([{ path: "drug", exists: true }])).toEqual(pick("progesterone", "aspirin", "trueString"));
    expect(await content([{ path: "drug", exists: false }])).toEqual(pick("trueOne", "weight", "heavier", "otherStream", "note"));
    expect(await content([{ path: "dose", gt: 5 }])).toEqual(pick("aspirin", "trueOne")); // not "5"
    expect(await content([{ path: "dose", gte: 5 }])).toEqual(pick("progesterone", "aspirin", "trueOne"));
    expect(await content([{ path: "dose", lt: 100 }])).toEqual(pick("progesterone", "trueOne"));
    expect(await content([{ path: "dose", lte: 100 }])).toEqual(pick("progesterone", "aspirin", "trueOne"));
    expect(await content([{ path: "drug.codes.atc", prefix: "G03DA" }])).toEqual(pick("progesterone", "trueString"));
    // `%` and `_` in a prefix are literal.
    expect(await content([{ path: "tag", prefix: "50%_" }])).toEqual(pick("trueOne"));
    expect(await content([{ path: "tag", prefix: "5_%" }])).toEqual([]);
    // `$`: the root value of scalar content; numbers never match text.
    expect(await content([{ path: "$", eq: 72.5 }])).toEqual(pick("weight", "otherStream"));
    expect(await content([{ path: "$", eq: "72.5" }])).toEqual(pick("note"));
    expect(await content([{ path: "$", gt: 75 }])).toEqual(pick("heavier"));
    expect(await content([{ path: "$", in: [80, 1] }])).toEqual(pick("heavier"));
    // Conditions AND together.
    expect(await content([{ path: "drug.codes.atc", prefix: "G03" }, { path: "taken", eq: true }])).toEqual(pick("progesterone"));
    // clientData, with a colon-namespaced key.
    expect(await found(user, { clientData: q([{ path: "ehr-sync:v2.externalId", eq: "X-1" }]) })).toEqual(pick("weight"));
    expect(await found(user, { clientData: q([{ path: "ehr-sync:v2", exists: true }]), content: q([{ path: "$", lt: 73 }]) })).toEqual(pick("weight"));
  });

  it("combines with streams, types, time, skip and limit, and works in batch calls as arrays", async () => {
    const { user, id } = await fixture();
    const root = q([{ path: "$", gte: 70 }]);
    expect(await found(user, { content: root, streams: "meds" })).toEqual([id.weight, id.heavier].sort());
    expect(await found(user, { content: root, types: "mass/kg" })).toEqual([id.weight, id.heavier, id.otherStream].sort());
    expect(await found(user, { content: root, fromTime: T + 6, toTime: T + 7 })).toEqual([id.heavier, id.otherStream].sort());
    const page = (await getEvents(user, { ...all, content: root, types: "mass/kg", sortAscending: true, skip: 1, limit: 1 })).events;
    expect(ids(page)).toEqual([id.heavier]);
    const res = await post(`/${user.username}/`, [
      { method: "events.get", params: { ...all, streams: ["meds"], content: [{ path: "drug.codes.atc", eq: "B01AC06" }] } },
      { method: "events.get", params: { ...all, content: [{ path: "taken" }] } },
    ], { token: user.token });
    expect(res.status).toBe(200);
    expect(ids(res.body.results[0].events)).toEqual([id.aspirin]);
    expect(res.body.results[1].error.id).toBe("invalid-parameters-format");
  });

  it("only narrows what the token may read", async () => {
    const { user, id } = await fixture();
    const access = await post(`/${user.username}/accesses`, { name: "reader", permissions: [{ streamId: "other", level: "read" }] }, { token: user.token });
    expect(access.status).toBe(201);
    const token = access.body.access.token as string;
    expect(await found(user, { content: q([{ path: "$", eq: 72.5 }]) }, token)).toEqual([id.otherStream]);
    expect(await found(user, { content: q([{ path: "drug", exists: true }]) }, token)).toEqual([]);
    // A stream it cannot see stays unknown, conditions or not.
    expectError(await get(`/${user.username}/events`, { token, query: { streams: "meds", content: q([{ path: "$", exists: true }]) } }), 400, "unknown-referenced-resource");
  });

  it("answers a bad query with 400 invalid-parameters-format naming the condition, never a scan error", async () => {
    const { user } = await fixture();
    const bad: [unknown, RegExp][] = [
      ["{not json", /not valid JSON/],
      [q({ path: "a", eq: 1 }), /array of conditions/],
      [q([{ path: "a" }]), /condition #1 needs exactly one operator/],
      [q([{ path: "a", eq: 1, lt: 2 }]), /exactly one operator/],
      [q([{ path: "a", eq: 1 }, { path: "a", like: "%" }]), /condition #2 has unknown properties/],
      [q([{ path: "a'); DROP TABLE events; --", eq: 1 }]), /invalid path segment/],
      [q([{ path: 'a."b"', eq: 1 }]), /invalid path segment/],
      [q([{ path: "a..b", eq: 1 }]), /invalid path segment/],
      [q([{ path: "", eq: 1 }]), /path/],
      [q([{ path: Array(17).fill("a").join("."), eq: 1 }]), /deeper than 16/],
      [q([{ path: "a", eq: null }]), /string, number or boolean/],
      [q([{ path: "a", eq: { o: 1 } }]), /string, number or boolean/],
      [q([{ path: "a", gt: "5" }]), /finite number/],
      [q([{ path: "a", exists: "yes" }]), /boolean/],
      [q([{ path: "a", prefix: "" }]), /non-empty string/],
      [q([{ path: "a", in: [] }]), /non-empty array/],
      [q([{ path: "a", in: Array.from({ length: 101 }, (_, i) => i) }]), /at most 100/],
      [q(Array.from({ length: 11 }, () => ({ path: "a", eq: 1 }))), /at most 10 conditions/],
      ["[1e999]", /finite/],
    ];
    for (const [value, message] of bad) {
      for (const param of ["content", "clientData"]) {
        const error = expectError(await get(`/${user.username}/events`, { token: user.token, query: { [param]: value as string } }), 400, "invalid-parameters-format");
        expect(JSON.stringify(error), `${param}=${String(value)}`).toMatch(message);
        expect(error.data[0].param).toBe(param);
        expect(JSON.stringify(error)).not.toMatch(/SQL|sqlite|json_extract/i);
      }
    }
    // The old client spells arrays of objects as repeated "[object Object]": a clear 400 too.
    expectError(await get(`/${user.username}/events`, { token: user.token, query: { content: ["[object Object]", "[object Object]"] } }), 400, "invalid-parameters-format");
  });

  it("serves equality and ranges on numeric root content of named types from the events_root_number index", async () => {
    const user = await createUser();
    await createStream(user, { id: "body", name: "Body" });
    await createEvent(user, { streamIds: ["body"], type: "mass/kg", content: 72.5, time: T });
    const record = (await findUserByUsername(createDb(env.DB), user.username))!;
    /** The plan of every statement events.get runs for `query` (captured from its own SQL). */
    const plans = async (query: Record<string, unknown>) => {
      const statements: [string, unknown[]][] = [];
      const db = createDb(recordingD1(statements));
      const p = eventsGetParams.parse(query);
      const scope = resolveScope(await loadStreamTree(db, record.id), parseStreamsQuery(p.streams), p.state);
      statements.length = 0;
      const found = [];
      for await (const item of await queryEvents(db, record, p, scope, Date.now() / 1000)) found.push(...item.values());
      const details = [];
      for (const [text, params] of statements) {
        const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${text}`).bind(...params).all<{ detail: string }>();
        details.push(results.map((r) => r.detail).join("\n"));
      }
      return { found: found.length, plan: details.join("\n---\n") };
    };
    const indexed = /SEARCH e USING INDEX events_root_number \(user_id=\? AND type=\? AND <expr>/;
    for (const content of [[{ path: "$", eq: 72.5 }], [{ path: "$", gt: 70 }], [{ path: "$", gte: 70 }, { path: "$", lt: 80 }], [{ path: "$", in: [70, 72.5] }]]) {
      for (const extra of [{}, { ...all, streams: ["body"] }, { fromTime: T - 10 }]) {
        const { found, plan } = await plans({ types: ["mass/kg"], content, ...extra });
        expect(found, JSON.stringify({ content, extra })).toBe(1);
        expect(plan, JSON.stringify({ content, extra })).toMatch(indexed);
      }
    }
    // Without exact types, or on text and object paths, the other filters serve the query.
    expect((await plans({ content: [{ path: "$", eq: 72.5 }] })).plan).not.toMatch(/events_root_number/);
    expect((await plans({ types: ["mass/*"], content: [{ path: "$", eq: 72.5 }] })).plan).not.toMatch(/events_root_number/);
    expect((await plans({ types: ["mass/kg"], content: [{ path: "a", eq: 1 }] })).plan).not.toMatch(/events_root_number/);
  });
});

describe("content conditions on the trail of use", () => {
  it("are refused (invalid-operation), not ignored", async () => {
    const user = await createUser();
    const res = await get(`/${user.username}/events`, {
      token: user.token,
      query: { streams: JSON.stringify([":_audit:"]), content: JSON.stringify([{ path: "$", eq: 1 }]) },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("invalid-operation");
  });
});
