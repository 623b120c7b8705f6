/**
 * What is acknowledged is what is stored: values storage would alter
 * (ill-formed Unicode, non-finite numbers), nest too deep for the runtime,
 * or overflow D1 are refused with a 400 and change nothing — the same rule
 * for every field and every way in (HTTP body, batch call, upload part,
 * query string).
 */
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/shared/json-input";
import { LIMITS } from "../../src/shared/limits";
import { expectError, get, post, put, request } from "../helpers/api";
import { createEvent, createStream } from "../helpers/data";
import { accountSnapshot } from "../helpers/db";
import { eventForm, settleObjects, upload } from "../helpers/files";
import { expectStoredIntegrity } from "../helpers/integrity";
import { createUser, type TestUser } from "../helpers/users";

const LONE = "a\ud800b";
const nested = (depth: number): unknown => (depth === 0 ? 1 : { n: nested(depth - 1) });

async function setUp() {
  const user = await createUser();
  await createStream(user, { id: "s1", name: "S1" });
  return user;
}

/** The call is refused with `status`/`id` and the account is exactly as before. */
async function expectRefused(user: TestUser, call: () => ReturnType<typeof request>, status: number, id: string) {
  const before = await accountSnapshot(user.username);
  const error = expectError(await call(), status, id);
  expect(await accountSnapshot(user.username)).toEqual(before);
  return error;
}

describe("strings must be well-formed Unicode", () => {
  it("is refused in every field that stores text, whatever the way in", async () => {
    const user = await setUp();
    const { username, token } = user;
    const calls: [string, () => ReturnType<typeof request>][] = [
      ["event description", () => post(`/${username}/events`, { streamIds: ["s1"], type: "note/txt", content: "c", description: LONE }, { token })],
      ["event content", () => post(`/${username}/events`, { streamIds: ["s1"], type: "note/txt", content: LONE }, { token })],
      ["clientData key", () => post(`/${username}/events`, { streamIds: ["s1"], type: "note/txt", content: "c", clientData: { [LONE]: 1 } }, { token })],
      ["stream name", () => post(`/${username}/streams`, { name: LONE }, { token })],
      ["access name", () => post(`/${username}/accesses`, { name: LONE, permissions: [{ streamId: "s1", level: "read" }] }, { token })],
      ["profile value", () => put(`/${username}/profile/public`, { k: LONE }, { token })],
      ["batch call", () => post(`/${username}/`, [{ method: "streams.create", params: { name: LONE } }], { token })],
    ];
    for (const [what, call] of calls) {
      const error = await expectRefused(user, call, 400, "invalid-parameters-format");
      expect(error.data?.[0]?.code, what).toBe("ill_formed_unicode");
    }
  });

  it("is refused in the event part of an upload and in a streams query", async () => {
    const user = await setUp();
    const form = eventForm({ streamIds: ["s1"], type: "picture/attached", description: LONE }, [{ name: "a.txt", data: "hello" }]);
    expectError(await upload(`/${user.username}/events`, form, user.token), 400, "invalid-parameters-format");
    expect(await settleObjects(user.username, 0)).toEqual([]);
    const query = await get(`/${user.username}/events`, { token: user.token, query: { streams: JSON.stringify({ any: [LONE] }) } });
    expectError(query, 400, "invalid-parameters-format");
  });

  it("stores well-formed text exactly, astral characters and separators included", async () => {
    const user = await setUp();
    const text = "😀 \u2028 é \u0000 \uffff";
    const event = await createEvent(user, { streamIds: ["s1"], description: text, content: text });
    const res = await get(`/${user.username}/events/${event.id}`, { token: user.token });
    expect(res.body.event.description).toBe(text);
    expect(res.body.event.content).toBe(text);
    expect(res.body.event.integrity).toBe(event.integrity);
  });
});

describe("numbers must be finite", () => {
  it("refuses 1e400 anywhere in a body", async () => {
    const user = await setUp();
    const headers = { "Content-Type": "application/json" };
    for (const rawBody of [
      '{"streamIds":["s1"],"type":"count/generic","content":1e400}',
      '{"streamIds":["s1"],"type":"note/txt","content":"c","clientData":{"x":[-1e400]}}',
    ]) {
      const error = await expectRefused(user, () => request("POST", `/${user.username}/events`, { token: user.token, rawBody, headers }), 400, "invalid-parameters-format");
      expect(error.data?.[0]?.code).toBe("not_finite");
    }
  });

  it("refuses a query number that parses to Infinity", async () => {
    const user = await setUp();
    for (const query of [{ toTime: "1e999" }, { fromTime: "-1e999" }, { modifiedSince: "1e400" }] as Record<string, string>[]) {
      expectError(await get(`/${user.username}/events`, { token: user.token, query }), 400, "invalid-parameters-format");
    }
    expectError(await get(`/${user.username}/streams`, { token: user.token, query: { includeDeletionsSince: "1e999" } }), 400, "invalid-parameters-format");
  });
});

describe("nesting depth", () => {
  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels, in every JSON field, before it reaches the account`, async () => {
    const user = await setUp();
    const { username, token } = user;
    const deep = nested(3000);
    const calls = [
      () => post(`/${username}/events`, { streamIds: ["s1"], type: "note/txt", content: deep }, { token }),
      () => post(`/${username}/events`, { streamIds: ["s1"], type: "note/txt", content: "c", clientData: { d: deep } }, { token }),
      () => post(`/${username}/streams`, { name: "deep", clientData: { d: deep } }, { token }),
      () => post(`/${username}/accesses`, { name: "deep", permissions: [{ streamId: "s1", level: "read" }], clientData: { d: deep } }, { token }),
      () => put(`/${username}/profile/private`, { d: deep }, { token }),
      () => post(`/${username}/`, [{ method: "events.create", params: { streamIds: ["s1"], type: "note/txt", content: deep } }], { token }),
    ];
    for (const call of calls) {
      const error = await expectRefused(user, call, 400, "invalid-request-structure");
      expect(error.data).toEqual({ limit: MAX_JSON_DEPTH });
    }
  });

  it("accepts the limit itself", async () => {
    const user = await setUp();
    // The body is one level, content the rest.
    const event = await createEvent(user, { streamIds: ["s1"], type: "note/txt", content: "c", clientData: { d: nested(MAX_JSON_DEPTH - 3) } });
    expect(event.id).toBeTruthy();
    expectError(
      await post(`/${user.username}/events`, { streamIds: ["s1"], type: "note/txt", content: "c", clientData: { d: nested(MAX_JSON_DEPTH - 1) } }, { token: user.token }),
      400,
      "invalid-request-structure",
    );
  });
});

describe("stored field sizes", () => {
  it("refuses oversized values with a 400 before D1 (no SQLITE_TOOBIG)", async () => {
    const user = await setUp();
    const { username, token } = user;
    const over = "x".repeat(LIMITS.jsonBytes + 1);
    const accessCall = () => post(`/${username}/accesses`, { name: "big", permissions: [{ streamId: "s1", level: "read" }], clientData: { blob: "y".repeat(3_000_000) } }, { token });
    const calls = [
      () => put(`/${username}/profile/public`, { blob: "p".repeat(2_500_000) }, { token }),
      accessCall,
      () => post(`/${username}/streams`, { name: "big", clientData: { blob: over } }, { token }),
      () => post(`/${username}/events`, { streamIds: ["s1"], type: "note/txt", content: over }, { token }),
      // 400 000 characters of 3 bytes each: small as a string, 1.2 MB as UTF-8.
      () => post(`/${username}/events`, { streamIds: ["s1"], type: "note/txt", content: "c", description: "€".repeat(400_000) }, { token }),
      () => post(`/${username}/events`, { streamIds: ["s1"], type: `note/${"t".repeat(3000)}`, content: "c" }, { token }),
    ];
    for (const call of calls) await expectRefused(user, call, 400, "invalid-parameters-format");
  });

  it("bounds a profile set after the merge, not only each update", async () => {
    const user = await setUp();
    const half = "h".repeat(LIMITS.jsonBytes / 2);
    expect((await put(`/${user.username}/profile/private`, { a: half }, { token: user.token })).status).toBe(200);
    await expectRefused(user, () => put(`/${user.username}/profile/private`, { b: half }, { token: user.token }), 400, "invalid-parameters-format");
  });
});

describe("integrity of what is stored", () => {
  it("every event these tests wrote verifies as GET returns it", async () => {
    expect(await expectStoredIntegrity()).toBeGreaterThan(1);
  });
});
