/**
 * The permission matrix: access type × level × where the permission sits
 * relative to the target stream × operation. The expected outcome comes from
 * `expected()` below — the reference's rules written as a table — not from
 * the implementation; every forbidden write is also checked to change nothing.
 */
import { describe, expect, it } from "vitest";
import { del, get, post, put } from "../helpers/api";
import { accountSnapshot } from "../helpers/db";
import { createUser, type TestUser } from "../helpers/users";

type Level = "read" | "contribute" | "manage" | "create-only";
type Position = "on" | "above" | "below" | "sibling" | "star";
type Operation =
  | "read event"
  | "list event"
  | "create event"
  | "update event"
  | "trash event"
  | "delete event"
  | "create stream"
  | "update stream"
  | "delete stream";

const LEVELS: Level[] = ["read", "contribute", "manage", "create-only"];
const POSITIONS: Position[] = ["on", "above", "below", "sibling", "star"];
const OPERATIONS: Operation[] = [
  "read event",
  "list event",
  "create event",
  "update event",
  "trash event",
  "delete event",
  "create stream",
  "update stream",
  "delete stream",
];

/** The spec: the level that reaches the target stream, then what that level allows. */
function expected(level: Level, position: Position, operation: Operation): "allowed" | "refused" {
  const reaching = position === "on" || position === "above" || position === "star" ? level : null;
  const can = {
    read: reaching === "read" || reaching === "contribute" || reaching === "manage",
    create: reaching === "create-only" || reaching === "contribute" || reaching === "manage",
    update: reaching === "contribute" || reaching === "manage",
    manage: reaching === "manage",
  };
  const needed: Record<Operation, boolean> = {
    "read event": can.read,
    "list event": can.read,
    "create event": can.create,
    "update event": can.update,
    "trash event": can.update,
    "delete event": can.update,
    "create stream": can.manage,
    "update stream": can.manage,
    "delete stream": can.manage,
  };
  return needed[operation] ? "allowed" : "refused";
}

let counter = 0;

/**
 * top → target → child, and a sibling of top; in target, one event per
 * operation on events (so the operations do not interfere) and a trashed one.
 */
async function fixture(user: TestUser) {
  const k = ++counter;
  const ids = { top: `top-${k}`, target: `target-${k}`, child: `child-${k}`, sibling: `sibling-${k}` };
  const note = (content: string, trashed = false) => ({
    method: "events.create",
    params: { streamIds: [ids.target], type: "note/txt", content, trashed },
  });
  const res = await post(
    `/${user.username}/`,
    [
      { method: "streams.create", params: { id: ids.top, name: ids.top } },
      { method: "streams.create", params: { id: ids.target, name: ids.target, parentId: ids.top } },
      { method: "streams.create", params: { id: ids.child, name: ids.child, parentId: ids.target } },
      { method: "streams.create", params: { id: ids.sibling, name: ids.sibling } },
      note("read me"),
      note("update me"),
      note("trash me"),
      note("delete me", true),
    ],
    { token: user.token },
  );
  const [read, update, trash, remove] = res.body.results.slice(4).map((r: { event: { id: string } }) => r.event.id as string);
  return { ids, events: { read, update, trash, remove } as Record<"read" | "update" | "trash" | "remove", string> };
}

const permissionStream = (position: Position, ids: Record<string, string>) =>
  ({ on: ids.target, above: ids.top, below: ids.child, sibling: ids.sibling, star: "*" })[position]!;

async function attempt(user: TestUser, token: string, operation: Operation, f: Awaited<ReturnType<typeof fixture>>) {
  const u = `/${user.username}`;
  const t = { token };
  switch (operation) {
    case "read event":
      return (await get(`${u}/events/${f.events.read}`, t)).status;
    case "list event": {
      const res = await get(`${u}/events`, { ...t, query: { fromTime: 0, toTime: Date.now() / 1000 + 10, limit: 1000 } });
      return res.status === 200 && res.body.events.some((e: { id: string }) => e.id === f.events.read) ? 200 : 403;
    }
    case "create event":
      return (await post(`${u}/events`, { streamIds: [f.ids.target], type: "note/txt", content: "new" }, t)).status;
    case "update event":
      return (await put(`${u}/events/${f.events.update}`, { content: "changed" }, t)).status;
    case "trash event":
      return (await del(`${u}/events/${f.events.trash}`, t)).status;
    case "delete event":
      return (await del(`${u}/events/${f.events.remove}`, t)).status;
    case "create stream":
      return (await post(`${u}/streams`, { name: `new in ${f.ids.target}`, parentId: f.ids.target }, t)).status;
    case "update stream":
      return (await put(`${u}/streams/${f.ids.target}`, { clientData: { touched: true } }, t)).status;
    case "delete stream":
      return (await del(`${u}/streams/${f.ids.target}`, t)).status;
  }
}

describe.each(["app", "shared"] as const)("permission matrix: %s access", (type) => {
  describe.each(LEVELS)("level %s", (level) => {
    it.each(POSITIONS)("permission %s the target stream", async (position) => {
      const user = await createUser();
      const f = await fixture(user);
      const created = await post(
        `/${user.username}/accesses`,
        { name: `${type}-${level}-${position}`, type, permissions: [{ streamId: permissionStream(position, f.ids), level }] },
        { token: user.token },
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const outcomes: string[] = [];
      // OPERATIONS ends with the stream's deletion, which would hide the rest.
      for (const operation of OPERATIONS) {
        const before = await accountSnapshot(user.username);
        const status = await attempt(user, created.body.access.token, operation, f);
        const outcome = status < 300 ? "allowed" : "refused";
        outcomes.push(`${operation}: ${outcome}`);
        if (outcome === "refused") {
          expect([403, 404]).toContain(status);
          if (!operation.startsWith("read") && !operation.startsWith("list")) {
            expect(await accountSnapshot(user.username), `${operation} refused but data changed`).toEqual(before);
          }
        }
      }
      expect(outcomes).toEqual(OPERATIONS.map((op) => `${op}: ${expected(level, position, op)}`));
    });
  });
});

describe("personal access", () => {
  it("may do everything", async () => {
    const user = await createUser();
    const f = await fixture(user);
    for (const operation of OPERATIONS) expect(await attempt(user, user.token, operation, f), operation).toBeLessThan(300);
  });
});

describe("masking and multiple streams", () => {
  it("`none` below a `*` read masks the subtree, and a more specific entry wins", async () => {
    const user = await createUser();
    const f = await fixture(user);
    const token = (
      await post(
        `/${user.username}/accesses`,
        { name: "masked", permissions: [{ streamId: "*", level: "read" }, { streamId: f.ids.top, level: "none" }, { streamId: f.ids.child, level: "contribute" }] },
        { token: user.token },
      )
    ).body.access.token;
    expect((await get(`/${user.username}/events/${f.events.read}`, { token })).status).toBe(403);
    expect((await post(`/${user.username}/events`, { streamIds: [f.ids.child], type: "note/txt", content: "ok" }, { token })).status).toBe(201);
    expect((await post(`/${user.username}/events`, { streamIds: [f.ids.sibling], type: "note/txt", content: "no" }, { token })).status).toBe(403);
    const streams = (await get(`/${user.username}/streams`, { token })).body.streams.map((s: { id: string }) => s.id);
    expect(streams).toContain(f.ids.sibling);
    expect(streams).toContain(f.ids.child); // listable, shown as a root since its parent is masked
    expect(streams).not.toContain(f.ids.top);
  });

  it("an event in several streams: visible if one is readable, writable only with contribute on one and on every stream changed", async () => {
    const user = await createUser();
    const f = await fixture(user);
    const both = (
      await post(`/${user.username}/events`, { streamIds: [f.ids.target, f.ids.sibling], type: "note/txt", content: "two" }, { token: user.token })
    ).body.event;
    const token = (
      await post(
        `/${user.username}/accesses`,
        { name: "sibling-contributor", permissions: [{ streamId: f.ids.sibling, level: "contribute" }] },
        { token: user.token },
      )
    ).body.access.token;
    expect((await get(`/${user.username}/events/${both.id}`, { token })).status).toBe(200);
    expect((await put(`/${user.username}/events/${both.id}`, { content: "edited" }, { token })).status).toBe(200);
    // Removing the target stream needs contribute there too.
    expect((await put(`/${user.username}/events/${both.id}`, { streamIds: [f.ids.sibling] }, { token })).status).toBe(403);
    // Creating needs the right on every stream.
    expect((await post(`/${user.username}/events`, { streamIds: [f.ids.sibling, f.ids.target], type: "note/txt", content: "x" }, { token })).status).toBe(403);
  });
});
