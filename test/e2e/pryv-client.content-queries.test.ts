/**
 * What the pryv client's own content-query tests (lib-js test/ContentQueries,
 * "[CQLI] against a live platform") do, with the published client (3.0.4).
 * That release predates content queries: its GET encoder spells an array of
 * objects as repeated "[object Object]", so the conditions are given as the
 * JSON text later clients send (`content=<JSON>`), and `getLatestByContent`
 * (not in 3.0.4) is done as its documentation says, with `apiOne`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { connect, routeClientToWorker } from "../helpers/pryv-client";

routeClientToWorker();

const TYPE = "medication/exposure-assertion-v1";
const codes = { progesterone: "G03DA04", aspirin: "B01AC06", missing: "N02BE01" };

/** The latest event per value of `path` (events.get with `{path, in: values}`, newest first, paged). */
async function latestByContent(connection: any, path: string, values: string[], baseQuery: Record<string, unknown>) {
  const found = new Map<string, any>();
  const pageSize = 2;
  for (let skip = 0; found.size < values.length; skip += pageSize) {
    const params = { ...baseQuery, content: [{ path, in: values }], sortAscending: false, skip, limit: pageSize };
    const events: any[] = await connection.apiOne("events.get", params, "events");
    for (const event of events) {
      const value = path.split(".").reduce((v: any, key) => v?.[key], event.content);
      if (values.includes(value) && !found.has(value)) found.set(value, event);
    }
    if (events.length < pageSize) break;
  }
  return found;
}

describe("official pryv client: content queries", () => {
  let connection: any;
  const streamId = "cq-stream";

  beforeAll(async () => {
    ({ connection } = await connect());
    const calls: any[] = [
      { method: "streams.create", params: { id: "data", name: "Data" } },
      { method: "streams.create", params: { id: streamId, name: "CQ", parentId: "data" } },
    ];
    // Two assertions per drug: the older taken: false, the newer taken: true.
    let time = 1_700_000_000;
    for (const code of [codes.progesterone, codes.aspirin]) {
      for (const taken of [false, true]) {
        calls.push({ method: "events.create", params: { streamIds: [streamId], type: TYPE, time: time++, content: { drug: { codes: { atc: code } }, taken } } });
      }
    }
    const results: any[] = await connection.api(calls);
    for (const result of results) expect(result.error).toBeUndefined();
  });

  it("service info advertises contentQueries (what Service#supportsContentQueries reads)", async () => {
    const info = await connection.service.info();
    expect(info.features.contentQueries).toBe(true);
  });

  it("getEventsStreamed takes content conditions as JSON in the query string", async () => {
    const collected: any[] = [];
    const conditions = [{ path: "drug.codes.atc", eq: codes.progesterone }, { path: "taken", eq: true }];
    await connection.getEventsStreamed({ streams: [streamId], fromTime: 0, content: JSON.stringify(conditions) }, (event: any) => collected.push(event));
    expect(collected).toHaveLength(1);
    expect(collected[0].content).toEqual({ drug: { codes: { atc: codes.progesterone } }, taken: true });
  });

  it("the latest event per value, through batch calls (getLatestByContent's recipe)", async () => {
    const byCode = await latestByContent(connection, "drug.codes.atc", Object.values(codes), { streams: [streamId] });
    expect(byCode.size).toBe(2);
    expect(byCode.get(codes.missing)).toBeUndefined();
    expect(byCode.get(codes.progesterone).content.taken).toBe(true);
    expect(byCode.get(codes.aspirin).content.taken).toBe(true);
  });

  it("conditions the old encoder mangles are refused with a 400, not ignored", async () => {
    // connection.get resolves with the error body.
    const body: any = await connection.get("events", { streams: [streamId], content: [{ path: "taken", eq: true }] });
    expect(body.events).toBeUndefined();
    expect(body.error.id).toBe("invalid-parameters-format");
    expect(body.error.data[0].param).toBe("content");
  });
});
