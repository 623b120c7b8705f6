/**
 * Notifications over socket.io with the official clients (`@pryv/socket.io`
 * with the `pryv` client, plain `socket.io-client` 4.x, `@pryv/monitor`),
 * under Node against `wrangler dev` (globalSetup: wrangler-dev.mjs).
 */
import { afterAll, describe, expect, it } from "vitest";
import pryv from "pryv";
import addSocketIO from "@pryv/socket.io";
import addMonitor from "@pryv/monitor";
import { io, type Socket } from "socket.io-client";
import { BASE, createUser, http, sleep, type User } from "./helpers";

declare module "vitest" {
  export interface ProvidedContext {
    socketBase: string;
  }
}

// (The add-ons' typings describe a newer `pryv` than the installed 3.0.4; the runtime fits.)
addSocketIO(pryv as never);
addMonitor(pryv as never);

const endpoint = (user: User, token = user.token) => `${BASE.replace("//", `//${token}@`)}/${user.username}/`;

/** Records what a socket is told. */
function recorder(on: (name: string, listener: () => void) => void) {
  const seen: string[] = [];
  for (const name of ["eventsChanged", "streamsChanged", "accessesChanged"]) on(name, () => seen.push(name));
  return {
    seen,
    async waitFor(name: string, count = 1, ms = 5000) {
      const end = Date.now() + ms;
      while (seen.filter((n) => n === name).length < count && Date.now() < end) await sleep(20);
      return seen.filter((n) => n === name).length;
    },
  };
}

const closers: (() => void)[] = [];
afterAll(() => {
  for (const close of closers) close();
});

async function openAddon(user: User, token = user.token) {
  const connection = new pryv.Connection(endpoint(user, token));
  const socket = await (connection as any).socket.open();
  closers.push(() => {
    try {
      socket.close();
    } catch {
      // closed
    }
  });
  return { connection, socket, told: recorder((n, l) => socket.on(n, l)) };
}

async function openPlain(user: User, token = user.token, options: Record<string, unknown> = { transports: ["websocket"] }) {
  const socket: Socket = io(`${BASE}/${user.username}`, { forceNew: true, reconnection: false, query: { auth: token }, ...options });
  closers.push(() => socket.close());
  await new Promise<void>((resolve, reject) => {
    socket.on("connect", () => resolve());
    socket.on("connect_error", (err) => reject(err));
  });
  return { socket, told: recorder((n, l) => socket.on(n, l)) };
}

describe("socket.io notifications", () => {
  it("refuses an unknown token before the upgrade, with the Pryv error", async () => {
    const res = await http("GET", "/socket.io/?EIO=4&transport=websocket&auth=not-a-token", null);
    expect(res.status).toBe(403);
    expect(res.body.error.id).toBe("invalid-access-token");
    const missing = await http("GET", "/socket.io/?EIO=4&transport=websocket", null);
    expect(missing.status).toBe(401);
    const user = await createUser();
    await expect(openPlain(user, "not-a-token")).rejects.toThrow();
  });

  it("@pryv/socket.io: each kind of change arrives, once per write, in commit order", async () => {
    const user = await createUser();
    const { told } = await openAddon(user);
    expect((await http("POST", `/${user.username}/streams`, user.token, { id: "diary", name: "Diary" })).status).toBe(201);
    expect(await told.waitFor("streamsChanged")).toBe(1);
    const event = await http("POST", `/${user.username}/events`, user.token, { streamIds: ["diary"], type: "note/txt", content: "hi" });
    expect(event.status).toBe(201);
    expect(await told.waitFor("eventsChanged")).toBe(1);
    const access = await http("POST", `/${user.username}/accesses`, user.token, {
      name: "reader",
      type: "shared",
      permissions: [{ streamId: "diary", level: "read" }],
    });
    expect(access.status, JSON.stringify(access.body)).toBe(201);
    expect(await told.waitFor("accessesChanged")).toBe(1);
    expect(told.seen).toEqual(["streamsChanged", "eventsChanged", "accessesChanged"]);
  });

  it("scopes pushes to what the token may read, and never crosses accounts", async () => {
    const user = await createUser();
    const other = await createUser();
    for (const id of ["open", "closed"]) await http("POST", `/${user.username}/streams`, user.token, { id, name: id });
    const shared = await http("POST", `/${user.username}/accesses`, user.token, {
      name: "open-only",
      type: "shared",
      permissions: [{ streamId: "open", level: "read" }],
    });
    const scoped = await openAddon(user, shared.body.access.token);
    const stranger = await openPlain(other);
    await http("POST", `/${user.username}/events`, user.token, { streamIds: ["closed"], type: "note/txt", content: "secret" });
    await http("POST", `/${user.username}/streams`, user.token, { id: "closed-child", name: "cc", parentId: "closed" });
    await sleep(500);
    expect(scoped.told.seen).toEqual([]);
    // An event moved out of the readable stream is told of (it was readable before).
    const e = await http("POST", `/${user.username}/events`, user.token, { streamIds: ["open"], type: "note/txt", content: "x" });
    expect(await scoped.told.waitFor("eventsChanged", 1)).toBe(1);
    await http("PUT", `/${user.username}/events/${e.body.event.id}`, user.token, { streamIds: ["closed"] });
    expect(await scoped.told.waitFor("eventsChanged", 2)).toBe(2);
    // A shared token sees no other access.
    await http("POST", `/${user.username}/accesses`, user.token, { name: "another", type: "shared", permissions: [{ streamId: "open", level: "read" }] });
    await sleep(300);
    expect(scoped.told.seen).toEqual(["eventsChanged", "eventsChanged"]);
    expect(stranger.told.seen).toEqual([]);
  });

  it("answers method calls as the HTTP API does (emit with ack, and the add-on's socket.api)", async () => {
    const user = await createUser();
    await http("POST", `/${user.username}/streams`, user.token, { id: "s", name: "S" });
    await http("POST", `/${user.username}/events`, user.token, { streamIds: ["s"], type: "count/generic", content: 3 });
    const { socket } = await openPlain(user);
    const overHttp = await http("GET", `/${user.username}/events?streams=s`, user.token);
    // emitWithAck resolves with the ack's first argument: the error slot, null on success.
    expect(await socket.timeout(5000).emitWithAck("events.get", { streams: ["s"] })).toBeNull();
    const answered = await new Promise<unknown[]>((resolve) => socket.emit("events.get", { streams: ["s"] }, (...args: unknown[]) => resolve(args)));
    expect(answered[0]).toBeNull();
    const got = answered[1] as any;
    expect(got.events).toEqual(overHttp.body.events);
    expect(Object.keys(got.meta).sort()).toEqual(["apiVersion", "serial", "serverTime"]);
    const failed = await new Promise<unknown[]>((resolve) => socket.emit("events.create", { streamIds: ["nope"], type: "note/txt" }, (...args: unknown[]) => resolve(args)));
    const failedHttp = await http("POST", `/${user.username}/events`, user.token, { streamIds: ["nope"], type: "note/txt" });
    expect(failed[0]).toEqual(failedHttp.body.error);
    const unknown = await new Promise<unknown[]>((resolve) => socket.emit("no.such", {}, (...args: unknown[]) => resolve(args)));
    expect((unknown[0] as any).id).toBe("invalid-method");

    const { connection, socket: addon } = await openAddon(user);
    const viaSocket = await addon.api([{ method: "streams.get", params: {} }, { method: "events.create", params: { streamIds: ["s"], type: "note/txt", content: "via socket" } }]);
    const viaHttp = await (connection as any).api([{ method: "streams.get", params: {} }]);
    expect(viaSocket[0]).toEqual(viaHttp[0]);
    expect(viaSocket[1].event.content).toBe("via socket");
    expect(viaSocket[1].event.modifiedBy).toBe(viaSocket[1].event.createdBy);
    // The trail of use records socket calls as it records HTTP ones.
    await sleep(1500);
    const info = await http("GET", `/${user.username}/access-info`, user.token);
    // events.create: setup and a failure over HTTP, a failure and a success over the socket.
    expect(info.body.calls, JSON.stringify(info.body.calls)).toMatchObject({ "events:create": 4, "events:get": 3, "streams:get": 2, "no:such": 1 });
  });

  it("closes the socket of a revoked token", async () => {
    const user = await createUser();
    const app = await http("POST", `/${user.username}/accesses`, user.token, { name: "app", type: "app", permissions: [{ streamId: "*", level: "read" }] });
    const { socket } = await openPlain(user, app.body.access.token);
    const closed = new Promise<string>((resolve) => socket.on("disconnect", (reason) => resolve(reason)));
    await http("DELETE", `/${user.username}/accesses/${app.body.access.id}`, user.token);
    expect(await Promise.race([closed, sleep(5000).then(() => "still open")])).not.toBe("still open");
  });

  it("keeps the official client connected across server pings (hibernatable state only)", async () => {
    const user = await createUser();
    const { socket, told } = await openAddon(user);
    let disconnected = false;
    socket.on("disconnect", () => (disconnected = true));
    await sleep(4000); // four ping intervals (the test server pings every second)
    expect(disconnected).toBe(false);
    await http("POST", `/${user.username}/streams`, user.token, { id: "later", name: "Later" });
    expect(await told.waitFor("streamsChanged")).toBe(1);
  });

  it("@pryv/monitor with the socket updater sees events as they are created", async () => {
    const user = await createUser();
    await http("POST", `/${user.username}/streams`, user.token, { id: "m", name: "M" });
    const monitor = new (pryv as any).Monitor(endpoint(user), { limit: 10 });
    const seen: string[] = [];
    monitor.on("event", (e: any) => seen.push(e.content));
    const updater = new (pryv as any).Monitor.UpdateMethod.Socket();
    monitor.addUpdateMethod(updater);
    await monitor.start();
    closers.push(() => monitor.stop());
    for (const end = Date.now() + 5000; !updater.socket && Date.now() < end; ) await sleep(20); // its socket opens after start
    await http("POST", `/${user.username}/events`, user.token, { streamIds: ["m"], type: "note/txt", content: "monitored" });
    const end = Date.now() + 5000;
    while (!seen.includes("monitored") && Date.now() < end) await sleep(50);
    expect(seen).toContain("monitored");
  });

  it("plain socket.io-client with its default transports: long-polling, then the upgrade to websocket", async () => {
    const user = await createUser();
    await http("POST", `/${user.username}/streams`, user.token, { id: "p", name: "P" });
    // Default options: transports ["polling", "websocket"], upgrade on.
    const socket: Socket = io(`${BASE}/${user.username}`, { forceNew: true, reconnection: false, query: { auth: user.token } });
    closers.push(() => socket.close());
    const told = recorder((n, l) => socket.on(n, l));
    const first = new Promise<string>((resolve) => socket.io.on("open", () => resolve((socket.io as any).engine.transport.name)));
    const upgraded = new Promise<string>((resolve) => socket.io.on("open", () => (socket.io as any).engine.on("upgrade", (t: any) => resolve(t.name))));
    await new Promise<void>((resolve, reject) => {
      socket.on("connect", () => resolve());
      socket.on("connect_error", reject);
    });
    expect(await first).toBe("polling");
    // Upgraded at once (well before a ping interval: the probe releases the held GET).
    expect(await Promise.race([upgraded, sleep(900).then(() => "not upgraded")])).toBe("websocket");
    expect((socket.io as any).engine.transport.name).toBe("websocket");
    const answered = await socket.timeout(5000).emitWithAck("streams.get", {}).catch((e: unknown) => e);
    expect(answered).toBeNull(); // the error slot of (err, result)
    await http("POST", `/${user.username}/events`, user.token, { streamIds: ["p"], type: "note/txt", content: "x" });
    expect(await told.waitFor("eventsChanged")).toBe(1);
  });

  it("long-polling alone (upgrade: false): calls with ack, pushes, server pings, scoped to the session's token", async () => {
    const user = await createUser();
    await http("POST", `/${user.username}/streams`, user.token, { id: "q", name: "Q" });
    const { socket, told } = await openPlain(user, user.token, { transports: ["polling"], upgrade: false });
    expect((socket.io as any).engine.transport.name).toBe("polling");
    let disconnected = false;
    socket.on("disconnect", () => (disconnected = true));
    const got = await new Promise<unknown[]>((resolve) => socket.emit("events.create", { streamIds: ["q"], type: "note/txt", content: "polled" }, (...args: unknown[]) => resolve(args)));
    expect(got[0]).toBeNull();
    expect((got[1] as any).event.content).toBe("polled");
    expect(await told.waitFor("eventsChanged")).toBe(1); // its own write too
    await sleep(3000); // three ping intervals, answered over polling
    expect(disconnected).toBe(false);
    await http("POST", `/${user.username}/streams`, user.token, { id: "q2", name: "Q2" });
    expect(await told.waitFor("streamsChanged")).toBe(1);
    expect((socket.io as any).engine.transport.name).toBe("polling");
    // The session id only works with the token that opened it, and every request is authenticated.
    const sid = (socket.io as any).engine.id as string;
    const other = await http("POST", `/${user.username}/accesses`, user.token, { name: "o", type: "app", permissions: [{ streamId: "*", level: "read" }] });
    const foreign = await fetch(`${BASE}/socket.io/?EIO=4&transport=polling&sid=${sid}&auth=${other.body.access.token}`);
    expect(foreign.status).toBe(400);
    expect(((await foreign.json()) as any).code).toBe(1);
    const unauthenticated = await http("GET", `/socket.io/?EIO=4&transport=polling&sid=${sid}&auth=not-a-token`, null);
    expect(unauthenticated.status).toBe(403);
    const unknown = await fetch(`${BASE}/socket.io/?EIO=4&transport=polling&sid=nope&auth=${user.token}`);
    expect(unknown.status).toBe(400);
    expect(disconnected).toBe(false);
  });

  it("an unknown transport is refused as Engine.IO refuses it", async () => {
    const user = await createUser();
    const res = await http("GET", `/socket.io/?EIO=4&transport=carrier-pigeon&auth=${user.token}`, null);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(0);
  });
});

/** The plain JSON WebSocket, with node 22's global WebSocket. */
function openJson(user: User, token = user.token) {
  const ws = new WebSocket(`${BASE.replace("http", "ws")}/${user.username}/ws?auth=${token}`);
  const frames: any[] = [];
  ws.addEventListener("message", (e) => frames.push(typeof e.data === "string" && e.data !== "pong" ? JSON.parse(e.data) : e.data));
  const told = () => frames.filter((f) => f?.event && f.event !== "connected").map((f) => f.event);
  closers.push(() => ws.close());
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error("refused")));
  });
  let next = 0;
  const waitFor = async (match: (f: any) => boolean, ms = 5000) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) {
      const found = frames.find(match);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const call = async (method: string, params?: unknown) => {
    const id = ++next;
    ws.send(JSON.stringify({ id, method, params }));
    return waitFor((f) => f?.id === id);
  };
  return { ws, frames, opened, call, waitFor, told };
}

describe("plain JSON WebSocket (/{username}/ws)", () => {
  it("answers method calls as the HTTP API does and pushes scoped changes", async () => {
    const user = await createUser();
    const other = await createUser();
    await http("POST", `/${user.username}/streams`, user.token, { id: "j", name: "J" });
    const client = openJson(user);
    const stranger = openJson(other);
    await client.opened;
    await stranger.opened;
    // The greeting: {"event": "connected", "meta"}.
    expect(Object.keys((await client.waitFor((f) => f?.event === "connected")).meta).sort()).toEqual(["apiVersion", "serial", "serverTime"]);
    const overHttp = await http("GET", `/${user.username}/streams`, user.token);
    const got = await client.call("streams.get", {});
    expect(got.result.streams).toEqual(overHttp.body.streams);
    expect(Object.keys(got.result.meta).sort()).toEqual(["apiVersion", "serial", "serverTime"]);
    const failed = await client.call("events.create", { streamIds: ["nope"], type: "note/txt" });
    const failedHttp = await http("POST", `/${user.username}/events`, user.token, { streamIds: ["nope"], type: "note/txt" });
    expect(failed.error).toEqual(failedHttp.body.error);
    expect((await client.call("no.such")).error.id).toBe("invalid-method");
    // The JSON input rule holds here too: a lone surrogate is refused, nothing is stored.
    const lone = await client.call("events.create", { streamIds: ["j"], type: "note/txt", content: "a\ud800b" });
    expect(lone.error).toMatchObject({ id: "invalid-parameters-format", data: [{ code: "ill_formed_unicode" }] });
    const batch = await client.call("callBatch", [{ method: "events.create", params: { streamIds: ["j"], type: "note/txt", content: "b" } }]);
    expect(batch.result.results[0].event.content).toBe("b");
    expect(await client.waitFor((f) => f?.event === "eventsChanged")).toEqual({ event: "eventsChanged" });
    client.ws.send("not json");
    expect((await client.waitFor((f) => f?.id === null && f.error)).error.id).toBe("invalid-request-structure");
    // Keepalive answered by the runtime (auto-response), without waking the object.
    client.ws.send("ping");
    expect(await client.waitFor((f) => f === "pong")).toBe("pong");
    await sleep(300);
    expect(client.told()).toEqual(["eventsChanged"]);
    expect(stranger.told()).toEqual([]);
    await sleep(1500);
    const info = await http("GET", `/${user.username}/access-info`, user.token);
    expect(info.body.calls, JSON.stringify(info.body.calls)).toMatchObject({ "streams:get": 2, "no:such": 1 });
  });

  it("refuses a bad token before the upgrade, and closes on revocation", async () => {
    const user = await createUser();
    const refused = await http("GET", `/${user.username}/ws?auth=not-a-token`, null);
    expect(refused.status).toBe(403);
    const app = await http("POST", `/${user.username}/accesses`, user.token, { name: "a", type: "app", permissions: [{ streamId: "*", level: "read" }] });
    const client = openJson(user, app.body.access.token);
    await client.opened;
    // (Under wrangler dev, the object's close reached no client that had never sent a frame: seen with
    // Engine.IO sockets too; real clients send at once, and the test does as they do.)
    expect((await client.call("streams.get", {})).result).toBeDefined();
    const closed = new Promise<number>((resolve) => client.ws.addEventListener("close", (e) => resolve(e.code)));
    await http("DELETE", `/${user.username}/accesses/${app.body.access.id}`, user.token);
    expect(await Promise.race([closed, sleep(5000).then(() => -1)])).toBe(4001);
  });

  // Under wrangler dev an object with only hibernatable sockets and no alarm is evicted after ~10 s idle.
  // A JSON socket sets no alarm (no server pings), so the idle object goes; the socket must not.
  it("outlives its object's eviction (hibernation): state from the attachment only", { timeout: 40_000 }, async () => {
    const user = await createUser();
    const client = openJson(user);
    await client.opened;
    const before = (await client.call("debug.instance")).result;
    await sleep(14_000);
    const after = (await client.call("debug.instance")).result;
    expect(after.instance).not.toBe(before.instance); // another instance: the first one's memory is gone
    expect(after.constructed).toBeGreaterThan(before.constructed);
    await http("POST", `/${user.username}/streams`, user.token, { id: "woke", name: "Woke" });
    expect(await client.waitFor((f) => f?.event === "streamsChanged")).toEqual({ event: "streamsChanged" });
    const got = await client.call("streams.get", {});
    expect(got.result.streams.map((x: any) => x.id)).toContain("woke");
  });
});
