/**
 * Bench mode (local, BENCH_ROUTES=true): every answer carries `Server-Timing`
 * with the D1 round trips the request made — in the Worker and in the
 * account's Durable Object — and its phases. It also pins the round trips of
 * issue 13: one per read and one per write once the caller is known.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, get, post, put, type ApiResponse } from "../helpers/api";
import { createStream } from "../helpers/data";
import { createUser } from "../helpers/users";

function timing(res: ApiResponse): { trips: number; phases: Record<string, number> } {
  const header = res.headers.get("Server-Timing");
  expect(header, "no Server-Timing").toBeTruthy();
  const phases: Record<string, number> = {};
  let trips = NaN;
  for (const metric of header!.split(", ")) {
    const [name, ...params] = metric.split(";");
    for (const p of params) {
      if (p.startsWith("dur=")) phases[name!] = Number(p.slice(4));
      if (name === "d1-trips" && p.startsWith("desc=")) trips = Number(p.slice(6, -1));
    }
  }
  return { trips, phases };
}

describe("Server-Timing in bench mode", () => {
  it("counts one D1 round trip per read and per write once the caller is known", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const created = await post(`/${user.username}/events`, { streamIds: ["diary"], type: "note/txt", content: "a" }, { token: user.token });
    expect(created.status).toBe(201);
    await get(`/${user.username}/events`, { token: user.token, query: { streams: "diary" } }); // the isolate learns the tree

    const read = await get(`/${user.username}/events`, { token: user.token, query: { streams: "diary" } });
    expect(read.status).toBe(200);
    expect(timing(read).trips).toBe(1);
    expect(timing(await get(`/${user.username}/streams`, { token: user.token })).trips).toBe(1);

    const write = await post(`/${user.username}/events`, { streamIds: ["diary"], type: "note/txt", content: "b" }, { token: user.token });
    expect(write.status).toBe(201);
    const written = timing(write);
    expect(written.trips).toBe(1); // in the account's Durable Object, reported back with the outcome
    expect(written.phases).toHaveProperty("do");
    // An update of the event the object just wrote: no read first.
    const updated = await put(`/${user.username}/events/${write.body.event.id}`, { content: "c" }, { token: user.token });
    expect(updated.status).toBe(200);
    expect(timing(updated).trips).toBe(1);
  });

  it("serves the bench's floor for a read: one bare D1 round trip, no API", async () => {
    const res = await get("/bench/d1");
    expect(res.status).toBe(204);
    expect(timing(res).trips).toBe(1);
  });

  it("reads back a streamed answer's whole trace, the pages read after the headers included", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const calls = Array.from({ length: 600 }, (_, i) => ({ method: "events.create", params: { streamIds: ["diary"], type: "count/generic", content: i } }));
    expect((await post(`/${user.username}/`, calls, { token: user.token })).status).toBe(200);
    await get(`/${user.username}/events`, { token: user.token, query: { streams: "diary" } }); // the isolate learns the caller

    const res = await get(`/${user.username}/events`, { token: user.token, query: { streams: "diary", limit: 600 } });
    expect(res.body.events).toHaveLength(600); // two pages of 500 at most: the second is read after the headers
    expect(timing(res).trips).toBe(1);
    const id = res.headers.get("Bench-Trace");
    expect(id).toMatch(/^\d+$/);
    const whole = await get(`/bench/trace/${id}`);
    expect(whole.status).toBe(200);
    expect(whole.body.d1Trips).toBe(2);
    expect(whole.body.phases.d1).toBeGreaterThanOrEqual(0);
    expect((await get(`/bench/trace/${id}`)).status).toBe(404); // answered once
    // An answer that is not streamed has its whole trace in its headers already.
    expect((await get(`/${user.username}/streams`, { token: user.token })).headers.get("Bench-Trace")).toBeNull();
  });

  it("counts a batch of creates as one commit", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const calls = Array.from({ length: 200 }, (_, i) => ({ method: "events.create", params: { streamIds: ["diary"], type: "count/generic", content: i } }));
    await post(`/${user.username}/`, calls.slice(0, 1), { token: user.token }); // the object learns the caller
    const res = await post(`/${user.username}/`, calls, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.results.filter((r: { event?: unknown }) => r.event)).toHaveLength(200);
    expect(timing(res).trips).toBe(1);
  });

  it("counts concurrent creates on one account as fewer commits than requests", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const create = (i: number) =>
      post(`/${user.username}/events`, { streamIds: ["diary"], type: "count/generic", content: i }, { token: user.token });
    expect((await create(-1)).status).toBe(201); // the object learns the caller
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => create(i)));
    expect(answers.map((res) => res.status)).toEqual(Array(16).fill(201));
    // One at a time would be 16 trips: requests that arrive while a commit runs wait and commit together.
    const trips = answers.reduce((sum, res) => sum + (Number.isNaN(timing(res).trips) ? 0 : timing(res).trips), 0);
    expect(trips).toBeLessThan(16);
  });

  it("counts concurrent updates of events the object keeps as fewer commits than requests", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const calls = Array.from({ length: 4 }, (_, i) => ({ method: "events.create", params: { streamIds: ["diary"], type: "count/generic", content: i } }));
    const ids = (await post(`/${user.username}/`, calls, { token: user.token })).body.results.map((r: { event: { id: string } }) => r.event.id);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => put(`/${user.username}/events/${ids[i % 4]}`, { content: 100 + i }, { token: user.token })),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(16).fill(200));
    const trips = answers.reduce((sum, res) => sum + (Number.isNaN(timing(res).trips) ? 0 : timing(res).trips), 0);
    expect(trips).toBeLessThan(16);
  });

  it("counts a batch of updates of events the object does not keep as one read and one commit", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const calls = Array.from({ length: 20 }, (_, i) => ({ method: "events.create", params: { streamIds: ["diary"], type: "count/generic", content: i } }));
    const ids = (await post(`/${user.username}/`, calls, { token: user.token })).body.results.map((r: { event: { id: string } }) => r.event.id);
    await createStream(user, { id: "other", name: "Other" }); // a stream write: the object forgets the events it kept
    const updates = ids.map((id: string, i: number) => ({ method: "events.update", params: { id, update: { content: 100 + i } } }));
    await post(`/${user.username}/`, updates.slice(0, 1), { token: user.token }); // the object learns the caller
    const res = await post(`/${user.username}/`, updates.slice(1), { token: user.token });
    expect(res.body.results.map((r: { event?: { content: number } }) => r.event?.content)).toEqual(ids.slice(1).map((_: string, i: number) => 101 + i));
    expect(timing(res).trips).toBe(2); // each read and committed on its own: 38
  });

  it("reads the listening sockets' accesses once per group of creates, not once per create", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const upgrade = await SELF.fetch(`${BASE}/${user.username}/ws?auth=${user.token}`, { headers: { Upgrade: "websocket" } });
    const ws = upgrade.webSocket!;
    expect(ws).toBeTruthy();
    ws.accept();
    let pushes = 0;
    ws.addEventListener("message", (m) => {
      if (String(m.data) === '{"event":"eventsChanged"}') pushes++;
    });
    const calls = Array.from({ length: 50 }, (_, i) => ({ method: "events.create", params: { streamIds: ["diary"], type: "count/generic", content: i } }));
    await post(`/${user.username}/`, calls.slice(0, 1), { token: user.token }); // the object learns the caller
    const res = await post(`/${user.username}/`, calls, { token: user.token });
    expect(res.body.results.filter((r: { event?: unknown }) => r.event)).toHaveLength(50);
    // The commit and one read of the listener's access (50 reads when each change read it).
    expect(timing(res).trips).toBeLessThanOrEqual(2);
    const end = Date.now() + 5000;
    while (pushes < 51 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(pushes).toBe(51); // still told of each write
    ws.close();
  });
});
