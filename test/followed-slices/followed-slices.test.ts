/**
 * Followed slices: CRUD as the reference (statuses, shapes, errors), personal
 * tokens only, the stored tokens kept out of errors and the trail of use,
 * deleted with the account, reachable through batch calls.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { del, expectError, get, post, put } from "../helpers/api";
import { insertAccess, userRow } from "../helpers/db";
import { createUser, type TestUser } from "../helpers/users";

const path = (user: TestUser, id?: string) => `/${user.username}/followed-slices${id ? `/${id}` : ""}`;
const slice = (n: number) => ({ name: `Patient ${n}`, url: `https://patient-${n}.example.com/`, accessToken: `patient-token-${n}-${crypto.randomUUID()}` });

async function createSlice(user: TestUser, data: ReturnType<typeof slice>) {
  const res = await post(path(user), data, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.followedSlice as { id: string; name: string; url: string; accessToken: string };
}

async function sliceRows(userId: number) {
  const { results } = await env.DB.prepare("SELECT * FROM followed_slices WHERE user_id = ? ORDER BY name").bind(userId).all();
  return results;
}

describe("followed slices", () => {
  it("creates (201), lists by name, renames and deletes, as the reference answers", async () => {
    const user = await createUser();
    const b = slice(2);
    const a = slice(1);
    const created = await createSlice(user, b);
    expect(created).toEqual({ id: expect.any(String), ...b });
    const first = await createSlice(user, a);

    const list = await get(path(user), { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.followedSlices).toEqual([first, created]);

    const renamed = await put(path(user, created.id), { name: "Patient 0" }, { token: user.token });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.followedSlice).toEqual({ ...created, name: "Patient 0" });
    expect((await get(path(user), { token: user.token })).body.followedSlices.map((s: { id: string }) => s.id)).toEqual([created.id, first.id]);

    const deleted = await del(path(user, created.id), { token: user.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.followedSliceDeletion).toEqual({ id: created.id });
    expect((await get(path(user), { token: user.token })).body.followedSlices).toEqual([first]);
  });

  it("refuses bad data (invalid-parameters-format), unknown ids (404) and duplicates (409), changing nothing", async () => {
    const user = await createUser();
    const a = await createSlice(user, slice(1));
    const b = await createSlice(user, slice(2));
    const userId = (await userRow(user.username))!.id as number;
    const before = await sliceRows(userId);

    expectError(await post(path(user), { badProperty: "bad value" }, { token: user.token }), 400, "invalid-parameters-format");
    expectError(await post(path(user), { ...slice(3), id: "chosen" }, { token: user.token }), 400, "invalid-parameters-format");
    expectError(await post(path(user), { ...slice(3), name: "" }, { token: user.token }), 400, "invalid-parameters-format");
    expectError(await put(path(user, a.id), { badProperty: "bad value" }, { token: user.token }), 400, "invalid-parameters-format");
    expectError(await put(path(user, a.id), { url: "https://elsewhere.example.com/" }, { token: user.token }), 400, "invalid-parameters-format");
    expectError(await put(path(user, "unknown-id"), { name: "?" }, { token: user.token }), 404, "unknown-resource");
    expectError(await del(path(user, "unknown-id"), { token: user.token }), 404, "unknown-resource");

    const sameName = expectError(await post(path(user), { ...slice(3), name: a.name }, { token: user.token }), 409, "item-already-exists");
    expect(sameName.data).toEqual({ name: a.name });
    const renameClash = expectError(await put(path(user, b.id), { name: a.name }, { token: user.token }), 409, "item-already-exists");
    expect(renameClash.data).toEqual({ name: a.name });

    const sameTarget = await post(path(user), { name: "New name", url: a.url, accessToken: a.accessToken }, { token: user.token });
    const error = expectError(sameTarget, 409, "item-already-exists");
    expect(error.data).toEqual({ url: a.url });
    // The other account's token is never quoted back in an error.
    expect(JSON.stringify(sameTarget.body)).not.toContain(a.accessToken);

    expect(await sliceRows(userId)).toEqual(before);
    // Same url with another token, and the same name in another account, are fine.
    await createSlice(user, { name: "Other token", url: a.url, accessToken: `${a.accessToken}-2` });
    await createSlice(await createUser(), { ...slice(9), name: a.name });
  });

  it("is for personal tokens only: app and shared tokens are refused (403)", async () => {
    const user = await createUser();
    const existing = await createSlice(user, slice(1));
    const app = await insertAccess(user.username, "app");
    const shared = await insertAccess(user.username, "shared");
    for (const token of [app, shared]) {
      expectError(await get(path(user), { token }), 403, "forbidden");
      expectError(await post(path(user), slice(2), { token }), 403, "forbidden");
      expectError(await put(path(user, existing.id), { name: "x" }, { token }), 403, "forbidden");
      expectError(await del(path(user, existing.id), { token }), 403, "forbidden");
    }
    expectError(await get(path(user)), 401, "invalid-access-token");
    expect((await get(path(user), { token: user.token })).body.followedSlices).toEqual([existing]);
  });

  it("works in batch calls", async () => {
    const user = await createUser();
    const data = slice(1);
    const batch = await post(
      `/${user.username}/`,
      [
        { method: "followedSlices.create", params: data },
        { method: "followedSlices.get", params: {} },
        { method: "followedSlices.create", params: data },
      ],
      { token: user.token },
    );
    expect(batch.status).toBe(200);
    const [created, listed, duplicate] = batch.body.results;
    expect(created.followedSlice).toEqual({ id: expect.any(String), ...data });
    expect(listed.followedSlices).toEqual([created.followedSlice]);
    expect(duplicate.error.id).toBe("item-already-exists");
  });

  it("keeps the stored tokens out of the trail of use", async () => {
    const user = await createUser();
    const data = slice(1);
    const created = await createSlice(user, data);
    await put(path(user, created.id), { name: "Renamed" }, { token: user.token });
    await post(path(user), { ...slice(2), url: data.url, accessToken: data.accessToken }, { token: user.token }); // 409
    await get(path(user), { token: user.token });
    let trail: unknown[] = [];
    for (let i = 0; i < 40 && trail.length < 4; i++) {
      const res = await get(`/${user.username}/events`, { token: user.token, query: { streams: ":_audit:", fromTime: 0, toTime: Date.now() / 1000 + 60 } });
      expect(res.status).toBe(200);
      trail = res.body.events.filter((e: { streamIds: string[] }) => e.streamIds.some((s) => s.startsWith(":_audit:action-followedSlices.")));
      if (trail.length < 4) await new Promise((r) => setTimeout(r, 50));
    }
    expect(trail).toHaveLength(4);
    const userId = (await userRow(user.username))!.id as number;
    const { results } = await env.DB.prepare("SELECT * FROM audit_log WHERE user_id = ?").bind(userId).all();
    expect(results.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(trail)).not.toContain(data.accessToken);
    expect(JSON.stringify(results)).not.toContain(data.accessToken);
  });

  it("goes with the account", async () => {
    const user = await createUser();
    await createSlice(user, slice(1));
    await createSlice(user, slice(2));
    const userId = (await userRow(user.username))!.id as number;
    expect(await sliceRows(userId)).toHaveLength(2);
    const deleted = await del(`/users/${user.username}`, { token: user.token });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(await sliceRows(userId)).toEqual([]);
  });
});
