/**
 * A batch's events.create calls are committed together by the account's
 * Durable Object (test/account-do/grouped-commits.test.ts): sockets are
 * still told of each write, in commit order, scoped to their token.
 */
import { afterAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { BASE, createUser, http, sleep } from "./helpers";

const sockets: Socket[] = [];
afterAll(() => {
  for (const socket of sockets) socket.close();
});

/** A socket.io client of `username` with `token`, and what it is told. */
async function listen(username: string, token: string) {
  const socket = io(`${BASE}/${username}`, { forceNew: true, reconnection: false, query: { auth: token }, transports: ["websocket"] });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.on("connect", () => resolve());
    socket.on("connect_error", reject);
  });
  const seen: string[] = [];
  for (const name of ["eventsChanged", "streamsChanged"]) socket.on(name, () => seen.push(name));
  return seen;
}

describe("grouped commits and sockets", () => {
  it("tells each socket of every creation of a batch it may read, in commit order", async () => {
    const user = await createUser("group");
    for (const id of ["a", "b"]) expect((await http("POST", `/${user.username}/streams`, user.token, { id, name: id })).status).toBe(201);
    const shared = await http("POST", `/${user.username}/accesses`, user.token, { name: "b-only", type: "shared", permissions: [{ streamId: "b", level: "read" }] });
    expect(shared.status).toBe(201);
    const everything = await listen(user.username, user.token);
    const bOnly = await listen(user.username, shared.body.access.token);

    const create = (streamId: string) => ({ method: "events.create", params: { streamIds: [streamId], type: "note/txt", content: streamId } });
    const calls = [create("a"), create("a"), create("b"), { method: "streams.create", params: { id: "c", name: "c" } }, create("c"), create("nope"), create("b")];
    const res = await http("POST", `/${user.username}/`, user.token, calls);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.event?.content ?? r.stream?.id ?? r.error?.id)).toEqual(["a", "a", "b", "c", "c", "unknown-referenced-resource", "b"]);

    const expected = ["eventsChanged", "eventsChanged", "eventsChanged", "streamsChanged", "eventsChanged", "eventsChanged"];
    const end = Date.now() + 5000;
    while (everything.length < expected.length && Date.now() < end) await sleep(20);
    await sleep(300); // nothing more comes
    expect(everything).toEqual(expected);
    expect(bOnly).toEqual(["eventsChanged", "eventsChanged"]);
  });

  it("answers a socket's callBatch of writes (sent to the account together) as an HTTP batch does", async () => {
    const user = await createUser("group");
    expect((await http("POST", `/${user.username}/streams`, user.token, { id: "s", name: "s" })).status).toBe(201);
    const taken = (await http("POST", `/${user.username}/events`, user.token, { streamIds: ["s"], type: "note/txt", content: "here" })).body.event.id;
    const seen = await listen(user.username, user.token);
    const socket = sockets[sockets.length - 1]!;
    const create = (params: Record<string, unknown>) => ({ method: "events.create", params: { streamIds: ["s"], type: "note/txt", ...params } });
    const calls = [
      create({ content: "one" }),
      create({ id: taken, content: "taken" }),
      { method: "events.update", params: { id: taken, update: { content: "changed" } } },
      { method: "streams.get", params: {} },
      create({ content: "two" }),
      create({ streamIds: ["nope"], content: "nowhere" }),
    ];
    const answer: any = await new Promise((resolve, reject) => {
      socket.emit("callBatch", calls, (err: unknown, res: unknown) => (err ? reject(err) : resolve(res)));
    });
    expect(answer.results.map((r: any) => r.event?.content ?? (r.streams ? "streams" : r.error?.id))).toEqual([
      "one",
      "item-already-exists",
      "changed",
      "streams",
      "two",
      "unknown-referenced-resource",
    ]);
    const stored = await http("GET", `/${user.username}/events?streams=s&limit=10`, user.token);
    expect(stored.body.events.map((e: any) => e.content).sort()).toEqual(["changed", "one", "two"]);
    const end = Date.now() + 5000;
    while (seen.length < 3 && Date.now() < end) await sleep(20);
    await sleep(300);
    expect(seen).toEqual(["eventsChanged", "eventsChanged", "eventsChanged"]);
  });
});
