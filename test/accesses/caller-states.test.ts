/**
 * Reads run on the caller state the Worker isolate keeps between requests
 * (src/accesses/caller-states.ts), checked against the account's revision in
 * the same D1 batch as their first query. Changes made behind the Worker's
 * back (SQL, as another isolate's or an operator's would be) must never be
 * answered from that state.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectError, get, post } from "../helpers/api";
import { createEvent, createStream, ids } from "../helpers/data";
import { createUser, type TestUser } from "../helpers/users";

async function sharedToken(user: TestUser, streamId: string, level = "read"): Promise<{ id: string; token: string }> {
  const res = await post(`/${user.username}/accesses`, { name: `share-${streamId}-${level}`, type: "shared", permissions: [{ streamId, level }] }, { token: user.token });
  expect(res.status).toBe(201);
  return res.body.access;
}

const revisionOf = async (username: string) =>
  (await env.DB.prepare("SELECT revision FROM users WHERE username = ?").bind(username).first<{ revision: number }>())!.revision;

describe("caller state kept between reads", () => {
  it("refuses a token deleted behind the Worker's back, on the very next read", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    const share = await sharedToken(user, "diary");
    expect((await get(`/${user.username}/events`, { token: share.token, query: { streams: "diary" } })).status).toBe(200);
    await env.DB.prepare("UPDATE accesses SET deleted = 1 WHERE id = ?").bind(share.id).run();
    expectError(await get(`/${user.username}/events`, { token: share.token, query: { streams: "diary" } }), 403, "invalid-access-token");
    // Also for an answer that needs no query at all (an unknown stream is told from the tree).
    expectError(await get(`/${user.username}/events`, { token: share.token, query: { streams: "nowhere" } }), 403, "invalid-access-token");
  });

  it("follows permissions changed behind its back", async () => {
    const user = await createUser();
    await createStream(user, { id: "diary", name: "Diary" });
    await createStream(user, { id: "secret", name: "Secret" });
    await createEvent(user, { streamIds: ["secret"], type: "note/txt", content: "hidden" });
    const share = await sharedToken(user, "diary");
    expectError(await get(`/${user.username}/events`, { token: share.token, query: { streams: "secret" } }), 400, "unknown-referenced-resource");
    await env.DB.prepare("UPDATE accesses SET permissions = ? WHERE id = ?")
      .bind(JSON.stringify([{ streamId: "secret", level: "read" }]), share.id)
      .run();
    const res = await get(`/${user.username}/events`, { token: share.token, query: { streams: "secret" } });
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: { content: string }) => e.content)).toEqual(["hidden"]);
    await env.DB.prepare("UPDATE accesses SET permissions = ? WHERE id = ?")
      .bind(JSON.stringify([{ streamId: "diary", level: "read" }]), share.id)
      .run();
    expectError(await get(`/${user.username}/events`, { token: share.token, query: { streams: "secret" } }), 400, "unknown-referenced-resource");
  });

  it("sees streams created and moved since it was kept", async () => {
    const user = await createUser();
    await createStream(user, { id: "health", name: "Health" });
    await createStream(user, { id: "sleep", name: "Sleep" });
    const event = await createEvent(user, { streamIds: ["sleep"], type: "note/txt", content: "8 h" });
    expect(ids((await get(`/${user.username}/events`, { token: user.token, query: { streams: "health" } })).body.events)).toEqual([]);
    // Moved under `health` by SQL: the kept tree must not answer.
    await env.DB.prepare("UPDATE streams SET parent_id = 'health' WHERE id = 'sleep' AND user_id = (SELECT id FROM users WHERE username = ?)")
      .bind(user.username)
      .run();
    expect(ids((await get(`/${user.username}/events`, { token: user.token, query: { streams: "health" } })).body.events)).toEqual([event.id]);
    // A stream created through the API is known at once.
    await createStream(user, { id: "new-one", name: "New one" });
    expect((await get(`/${user.username}/events`, { token: user.token, query: { streams: "new-one" } })).status).toBe(200);
  });

  it("is told of a logout and of a changed password", async () => {
    const user = await createUser();
    expect((await get(`/${user.username}/streams`, { token: user.token })).status).toBe(200);
    expect((await post(`/${user.username}/auth/logout`, {}, { token: user.token })).status).toBe(200);
    expectError(await get(`/${user.username}/streams`, { token: user.token }), 403, "invalid-access-token");
  });

  it("bumps the revision for what the state is made of, not for usage counters", async () => {
    const user = await createUser();
    const before = await revisionOf(user.username);
    await env.DB.prepare("UPDATE accesses SET last_used = 123, calls = '{\"x\":1}' WHERE token = ?").bind(user.token).run();
    expect(await revisionOf(user.username)).toBe(before);
    await createStream(user, { id: "s", name: "S" });
    const afterStream = await revisionOf(user.username);
    expect(afterStream).toBeGreaterThan(before);
    await env.DB.prepare("UPDATE users SET language = 'fr' WHERE username = ?").bind(user.username).run();
    expect(await revisionOf(user.username)).toBeGreaterThan(afterStream);
  });
});
