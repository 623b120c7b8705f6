/**
 * D1_READ_REPLICAS=on (src/db/replicas.ts): writes run on the account's Durable
 * Object's session, which keeps its commit bookmark; reads start from it, and
 * say where in `Pryv-D1-Bookmark` (local mode). Locally there is one database,
 * so what is shown is the plumbing and the rule, not replication itself.
 * Local bookmarks look like `00000000-00000012-00000000-0…0`: fixed-width hex,
 * so later is greater as a string.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { AccountDO } from "../../src/account-do/account-do";
import { accountStub } from "../../src/account-do/stub";
import { accountEnv, BOOKMARK_HEADER, latestBookmark, PRIMARY, readDatabase } from "../../src/db/replicas";
import { get, post, type ApiResponse } from "../helpers/api";
import { connect, routeClientToWorker } from "../helpers/pryv-client";
import { createUser, uniqueUsername } from "../helpers/users";

const bookmarkOf = (username: string) => accountStub(env, username).latestBookmark();

/** `later` is a bookmark (not a constraint such as "first-primary") at or after `earlier`. */
function expectAtOrAfter(later: string | null | undefined, earlier: string | null | undefined, strictly = false) {
  expect(later).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-/);
  expect(earlier).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-/);
  expect(strictly ? later! > earlier! : later! >= earlier!, `${later} is before ${earlier}`).toBe(true);
}

/** The bookmarks each read of the request started from. */
function readStarts(res: ApiResponse): string[] {
  const header = res.headers.get(BOOKMARK_HEADER);
  expect(header, `no ${BOOKMARK_HEADER} header`).toBeTruthy();
  return header!.split(", ");
}

async function createNote(user: { username: string; token: string }, content: string) {
  const res = await post(`/${user.username}/events`, { streamIds: ["diary"], type: "note/txt", content }, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.event as { id: string };
}

async function userWithDiary() {
  const user = await createUser();
  const res = await post(`/${user.username}/streams`, { id: "diary", name: "Diary" }, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return user;
}

function fakeStorage(): SyncKvStorage {
  const map = new Map<string, unknown>();
  return { get: (key: string) => map.get(key), put: (key: string, value: unknown) => void map.set(key, value) } as unknown as SyncKvStorage;
}

describe("writes: the account's Durable Object keeps its commit bookmark", () => {
  it("advances with each write, and is kept in the object's storage", async () => {
    const user = await userWithDiary();
    const afterSetup = await bookmarkOf(user.username);
    await createNote(user, "one");
    const afterOne = await bookmarkOf(user.username);
    await createNote(user, "two");
    const afterTwo = await bookmarkOf(user.username);
    expectAtOrAfter(afterOne, afterSetup, true);
    expectAtOrAfter(afterTwo, afterOne, true);
    const stored = await runInDurableObject(accountStub(env, user.username), (_instance, state) => state.storage.kv.get("d1-bookmark"));
    expect(stored).toBe(afterTwo);
  });

  it("answers none while a write waits on D1 (reads then start at the primary), and for an account never written", async () => {
    const objectEnv = accountEnv(env, fakeStorage());
    expect(latestBookmark(objectEnv)).toBeNull();
    await objectEnv.DB.prepare("CREATE TABLE IF NOT EXISTS replicas_probe (n INTEGER)").run();
    const committed = latestBookmark(objectEnv);
    expect(committed).toBeTruthy();
    // A select in flight leaves the bookmark valid: it commits nothing.
    const reading = objectEnv.DB.prepare("SELECT count(*) AS n FROM replicas_probe").first();
    expect(latestBookmark(objectEnv)).toBe(committed);
    await reading;
    const writing = objectEnv.DB.batch([objectEnv.DB.prepare("INSERT INTO replicas_probe (n) VALUES (?)").bind(1)]);
    expect(latestBookmark(objectEnv)).toBeNull();
    await writing;
    expectAtOrAfter(latestBookmark(objectEnv), committed, true);
    expect(await bookmarkOf(uniqueUsername("never-written"))).toBeNull();
  });

  it("after eviction, answers the stored bookmark until the new session has one", async () => {
    const storage = fakeStorage();
    storage.put("d1-bookmark", "00000000-00000001-00000000-00000000000000000000000000000000");
    const objectEnv = accountEnv(env, storage);
    expect(latestBookmark(objectEnv)).toBe("00000000-00000001-00000000-00000000000000000000000000000000");
    await objectEnv.DB.prepare("SELECT 1").first();
    expectAtOrAfter(latestBookmark(objectEnv), "00000000-00000001-00000000-00000000000000000000000000000000", true);
    expect(storage.get("d1-bookmark")).toBe(latestBookmark(objectEnv));
  });

  it("inside the account's object, reads use the object's own session (no hop to itself)", async () => {
    const objectEnv = accountEnv(env, fakeStorage());
    expect(await readDatabase(objectEnv, "anyone")).toBe(objectEnv.DB);
  });
});

describe("reads start from the account's latest bookmark", () => {
  it("a read after a write starts from at least the write's bookmark, and sees it", async () => {
    const user = await userWithDiary();
    const event = await createNote(user, "fresh");
    const written = await bookmarkOf(user.username);
    const res = await get(`/${user.username}/events`, { token: user.token, query: { streams: ["diary"] } });
    expect(res.status).toBe(200);
    const [start] = readStarts(res);
    expectAtOrAfter(start, written);
    expect(res.body.events.map((e: { id: string }) => e.id)).toContain(event.id);
  });

  it("in a batch, a read after a write starts from the bookmark that write committed at", async () => {
    const user = await userWithDiary();
    const before = await bookmarkOf(user.username);
    const res = await post(
      `/${user.username}/`,
      [
        { method: "events.create", params: { streamIds: ["diary"], type: "note/txt", content: "in a batch" } },
        { method: "events.get", params: { streams: ["diary"] } },
      ],
      { token: user.token },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const created = res.body.results[0].event.id;
    expect(res.body.results[1].events.map((e: { id: string }) => e.id)).toContain(created);
    const starts = readStarts(res);
    expect(starts.length).toBeGreaterThan(0);
    expectAtOrAfter(starts.at(-1), before, true);
  });

  it("an account with no bookmark is read from the primary", async () => {
    const res = await get(`/${uniqueUsername("nobody")}/events`, { token: "whatever" });
    expect(res.status).toBe(404);
    expect(readStarts(res)).toEqual([PRIMARY]);
  });

  it("a caller the isolate does not know yet is read from the primary, without asking (or waking) an object", async () => {
    const asked = vi.spyOn(AccountDO.prototype, "latestBookmark");
    try {
      const unknown = await get(`/${uniqueUsername("nobody")}/events`, { token: "whatever" });
      expect(unknown.status).toBe(404);
      expect(readStarts(unknown)).toEqual([PRIMARY]);
      expect(asked).not.toHaveBeenCalled();
      const user = await userWithDiary(); // the write makes the isolate know the caller
      const known = await get(`/${user.username}/events`, { token: user.token, query: { streams: ["diary"] } });
      expect(known.status).toBe(200);
      expect(asked).toHaveBeenCalled();
      expectAtOrAfter(readStarts(known)[0], await bookmarkOf(user.username));
    } finally {
      asked.mockRestore();
    }
  });

  it("reads without an account (register, service) use the primary, with no hop", async () => {
    expect(await readDatabase(env, null)).toBe(env.DB);
    const res = await get("/reg/service/info");
    expect(res.status).toBe(200);
    expect(res.headers.get(BOOKMARK_HEADER)).toBeNull();
  });
});

describe("the official client, unchanged", () => {
  routeClientToWorker();

  it("reads back at once what it just wrote", async () => {
    const { connection, username } = await connect();
    const [stream] = await connection.api([{ method: "streams.create", params: { id: "weight", name: "Weight" } }]);
    expect(stream.error).toBeUndefined();
    const [created] = await connection.api([{ method: "events.create", params: { streamIds: ["weight"], type: "mass/kg", content: 72.5 } }]);
    expect(created.error).toBeUndefined();
    const [read] = await connection.api([{ method: "events.get", params: { streams: ["weight"] } }]);
    expect(read.events.map((e: { id: string }) => e.id)).toContain(created.event.id);
    expect(await bookmarkOf(username)).toBeTruthy();
  });
});

describe("switch off", () => {
  it("changes nothing: the object keeps the binding, reads use it", async () => {
    const off = { ...env, D1_READ_REPLICAS: "off" };
    expect(accountEnv(off, fakeStorage())).toBe(off);
    expect(latestBookmark(off)).toBeNull();
    expect(await readDatabase(off, "anyone")).toBe(off.DB);
  });
});
