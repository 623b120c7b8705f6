import { describe, expect, it } from "vitest";
import { del, expectError, get, post, put } from "../helpers/api";
import { accountSnapshot, run } from "../helpers/db";
import { createStream } from "../helpers/data";
import { createUser, type TestUser } from "../helpers/users";

async function access(user: TestUser, body: Record<string, unknown>, token = user.token) {
  const res = await post(`/${user.username}/accesses`, body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.access as Record<string, any> & { id: string; token: string };
}

async function withStreams() {
  const user = await createUser();
  await createStream(user, { id: "health", name: "Health" });
  await createStream(user, { id: "heart", name: "Heart", parentId: "health" });
  await createStream(user, { id: "private", name: "Private", parentId: "health" });
  await createStream(user, { id: "diary", name: "Diary" });
  return user;
}

describe("accesses.create", () => {
  it("creates shared (the default) and app accesses with a token and an apiEndpoint", async () => {
    const user = await withStreams();
    const shared = await access(user, { name: "doctor", permissions: [{ streamId: "health", level: "read" }] });
    expect(shared).toMatchObject({ type: "shared", name: "doctor", deviceName: null, permissions: [{ streamId: "health", level: "read" }] });
    expect(shared.token).toMatch(/^[a-z0-9]{32}$/);
    expect(shared.apiEndpoint).toBe(`http://${shared.token}@127.0.0.1:8787/${user.username}/`);
    const app = await access(user, { name: "tracker", type: "app", deviceName: "phone", permissions: [{ streamId: "*", level: "manage" }], clientData: { v: 1 } });
    expect(app).toMatchObject({ type: "app", deviceName: "phone", clientData: { v: 1 }, createdBy: expect.any(String) });
    // The token works at once.
    expect((await get(`/${user.username}/events`, { token: shared.token })).status).toBe(200);
  });

  it("slugifies a client token, refuses reserved ones, refuses personal accesses", async () => {
    const user = await createUser();
    expect((await access(user, { name: "a", token: "pas encodé de bleu!", permissions: [] })).token).toBe("pas-encode-de-bleu");
    expectError(await post(`/${user.username}/accesses`, { name: "b", token: "null", permissions: [] }, { token: user.token }), 400, "invalid-item-id");
    expectError(await post(`/${user.username}/accesses`, { name: "c", type: "personal" }, { token: user.token }), 403, "forbidden");
  });

  it("expireAfter: expires, negative refused, an expired token is forbidden", async () => {
    const user = await createUser();
    const soon = await access(user, { name: "soon", permissions: [], expireAfter: 3600 });
    expect(soon.expires).toBeGreaterThan(Date.now() / 1000 + 3500);
    expectError(await post(`/${user.username}/accesses`, { name: "neg", permissions: [], expireAfter: -1 }, { token: user.token }), 400, "invalid-parameters-format");
    const expired = await access(user, { name: "gone", permissions: [], expireAfter: 0 });
    expect(expectError(await get(`/${user.username}/access-info`, { token: expired.token }), 403, "forbidden").message).toBe("Access has expired.");
  });

  it("refuses duplicates: same type, name and device; same token", async () => {
    const user = await createUser();
    await access(user, { name: "dup", permissions: [], token: "my-token-123" });
    const sameName = await post(`/${user.username}/accesses`, { name: "dup", permissions: [] }, { token: user.token });
    expect(expectError(sameName, 409, "item-already-exists").data).toEqual({ type: "shared", name: "dup", deviceName: null });
    const sameToken = await post(`/${user.username}/accesses`, { name: "other", permissions: [], token: "my-token-123" }, { token: user.token });
    expect(expectError(sameToken, 409, "item-already-exists").data).toEqual({ token: "(hidden)" });
    await access(user, { name: "dup", type: "app", deviceName: "a", permissions: [] });
    await access(user, { name: "dup", type: "app", deviceName: "b", permissions: [] });
  });

  it("refuses bad permissions and system-stream grants beyond the reference's rules", async () => {
    const user = await createUser();
    const path = `/${user.username}/accesses`;
    const t = { token: user.token };
    for (const permissions of [[{ streamId: "x", level: "admin" }], [{ streamId: "x" }], [{ feature: "selfRevoke", setting: "maybe" }], "all"]) {
      expectError(await post(path, { name: "bad", permissions }, t), 400, "invalid-parameters-format");
    }
    expectError(await post(path, { name: "bad" }, t), 400, "invalid-parameters-format");
    expectError(await post(path, { name: "hidden", permissions: [{ streamId: ":_system:appId", level: "read" }] }, t), 400, "invalid-operation");
    expectError(await post(path, { name: "too-high", permissions: [{ streamId: ":system:email", level: "manage" }] }, t), 400, "invalid-operation");
    expectError(await post(path, { name: "unknown-system", permissions: [{ streamId: ":_system:nope", level: "read" }] }, t), 403, "forbidden");
    await access(user, { name: "email-reader", permissions: [{ streamId: ":system:email", level: "read" }] });
  });

  it("caps the account stream itself at contribute, on create and update (the reference's too-high-access-for-account-stream)", async () => {
    const user = await createUser();
    const path = `/${user.username}/accesses`;
    const t = { token: user.token };
    const tooHigh = {
      id: "invalid-operation",
      message: "Only read, create-only and contribute accesses are allowed for system streams",
      data: { param: ":_system:account" },
    };
    const manage = [{ streamId: ":_system:account", level: "manage" }];
    const before = await accountSnapshot(user.username);
    expect(expectError(await post(path, { name: "account-manager", permissions: manage }, t), 400, "invalid-operation")).toEqual(tooHigh);
    const contributor = await access(user, { name: "account-contributor", permissions: [{ streamId: ":_system:account", level: "contribute" }] });
    const after = await accountSnapshot(user.username);
    expect(expectError(await put(`${path}/${contributor.id}`, { permissions: manage }, t), 400, "invalid-operation")).toEqual(tooHigh);
    expect(await accountSnapshot(user.username)).toEqual(after);
    expect(before).not.toEqual(after);
  });

  it("a personal token's grants on streams that do not exist create them (defaultName), or keep the permission for later", async () => {
    const user = await createUser();
    await access(user, { name: "new-streams", type: "app", permissions: [{ streamId: "new-stream", level: "contribute", defaultName: "The New Stream, Sir." }, { streamId: "later", level: "read" }] });
    const streams = (await get(`/${user.username}/streams`, { token: user.token })).body.streams;
    expect(streams.find((s: { id: string }) => s.id === "new-stream")).toMatchObject({ name: "The New Stream, Sir.", parentId: null });
    expect(streams.find((s: { id: string }) => s.id === "later")).toBeUndefined();
    await createStream(user, { id: "taken", name: "Taken" });
    const clash = await post(`/${user.username}/accesses`, { name: "clash", permissions: [{ streamId: "other-id", level: "read", defaultName: "Taken" }] }, { token: user.token });
    expect(expectError(clash, 409, "item-already-exists").data).toEqual({ name: "Taken" });
  });
});

describe("delegation (the subset rule)", () => {
  it("an app token creates shared accesses within its scope, not beyond", async () => {
    const user = await withStreams();
    const app = await access(user, { name: "app", type: "app", permissions: [{ streamId: "health", level: "contribute" }] });
    const t = { token: app.token };
    const path = `/${user.username}/accesses`;
    for (const permissions of [[{ streamId: "heart", level: "read" }], [{ streamId: "health", level: "create-only" }], [{ streamId: "health", level: "contribute" }]]) {
      expect((await post(path, { name: `ok-${permissions[0]!.streamId}-${permissions[0]!.level}`, permissions }, t)).status).toBe(201);
    }
    for (const permissions of [[{ streamId: "health", level: "manage" }], [{ streamId: "diary", level: "read" }], [{ streamId: "*", level: "read" }], []]) {
      expectError(await post(path, { name: "too-much", permissions }, t), 403, "forbidden");
    }
    expectError(await post(path, { name: "an-app", type: "app", permissions: [{ streamId: "heart", level: "read" }] }, t), 403, "forbidden");
    const shared = (await post(path, { name: "shared", permissions: [{ streamId: "heart", level: "read" }] }, t)).body.access;
    expectError(await post(path, { name: "from-shared", permissions: [{ streamId: "heart", level: "read" }] }, { token: shared.token }), 403, "forbidden");
  });

  it("create-only cannot be delegated; read cannot grant create-only", async () => {
    const user = await withStreams();
    const creator = await access(user, { name: "co", type: "app", permissions: [{ streamId: "health", level: "create-only" }, { streamId: "diary", level: "read" }] });
    const t = { token: creator.token };
    expectError(await post(`/${user.username}/accesses`, { name: "x", permissions: [{ streamId: "health", level: "create-only" }] }, t), 403, "forbidden");
    expectError(await post(`/${user.username}/accesses`, { name: "y", permissions: [{ streamId: "diary", level: "create-only" }] }, t), 403, "forbidden");
  });

  it("beyond Pryv: a grant cannot reach below into what the creator itself cannot see", async () => {
    const user = await withStreams();
    const app = await access(user, { name: "app", type: "app", permissions: [{ streamId: "health", level: "manage" }, { streamId: "private", level: "none" }] });
    const t = { token: app.token };
    expectError(await post(`/${user.username}/accesses`, { name: "leaky", permissions: [{ streamId: "health", level: "read" }] }, t), 403, "forbidden");
    const masked = await post(`/${user.username}/accesses`, { name: "masked", permissions: [{ streamId: "health", level: "read" }, { streamId: "private", level: "none" }] }, t);
    expect(masked.status).toBe(201);
  });
});

describe("accesses.get / getOne / update", () => {
  it("personal sees all; an app sees what it created; shared nothing", async () => {
    const user = await withStreams();
    const app = await access(user, { name: "app", type: "app", permissions: [{ streamId: "health", level: "read" }] });
    const child = await access(user, { name: "child", permissions: [{ streamId: "heart", level: "read" }] }, app.token);
    const other = await access(user, { name: "other", permissions: [] });
    const personal = (await get(`/${user.username}/accesses`, { token: user.token })).body.accesses.map((a: { id: string }) => a.id);
    expect(personal).toEqual(expect.arrayContaining([app.id, child.id, other.id]));
    const byApp = await get(`/${user.username}/accesses`, { token: app.token });
    expect(byApp.body.accesses.map((a: { id: string }) => a.id)).toEqual([child.id]);
    expect(byApp.body.accesses[0].token).toBe(child.token);
    expectError(await get(`/${user.username}/accesses`, { token: child.token }), 403, "forbidden");
    expect((await get(`/${user.username}/accesses/${child.id}`, { token: app.token })).body.access.id).toBe(child.id);
    expectError(await get(`/${user.username}/accesses/${other.id}`, { token: app.token }), 404, "unknown-resource");
  });

  it("includeExpired and includeDeletions", async () => {
    const user = await createUser();
    const expired = await access(user, { name: "expired", permissions: [], expireAfter: 0 });
    const deleted = await access(user, { name: "deleted", permissions: [] });
    await del(`/${user.username}/accesses/${deleted.id}`, { token: user.token });
    const plain = (await get(`/${user.username}/accesses`, { token: user.token })).body;
    expect(plain.accesses.map((a: { id: string }) => a.id)).not.toContain(expired.id);
    expect(plain).not.toHaveProperty("accessDeletions");
    const all = (await get(`/${user.username}/accesses`, { token: user.token, query: { includeExpired: true, includeDeletions: true } })).body;
    expect(all.accesses.map((a: { id: string }) => a.id)).toContain(expired.id);
    expect(all.accessDeletions).toEqual([expect.objectContaining({ id: deleted.id, deleted: expect.any(Number) })]);
  });

  it("lists every field as created (each filter's compiled query, src/db/compiled-rows.ts)", async () => {
    const user = await createUser();
    const full = await access(user, { name: "full", type: "app", deviceName: "phone", permissions: [{ streamId: "*", level: "read" }], clientData: { a: [1, "x"] }, expireAfter: 3600 });
    const child = await access(user, { name: "child", permissions: [{ streamId: "*", level: "read" }] }, full.token);
    const listed = (query = {}) => get(`/${user.username}/accesses`, { token: user.token, query }).then((r) => r.body.accesses as Record<string, any>[]);
    const { lastUsed: _used, ...created } = full;
    for (const list of [await listed(), await listed({ includeExpired: true })]) {
      expect(list.find((a) => a.id === full.id)).toEqual(expect.objectContaining(created));
      expect(list.find((a) => a.id === child.id)).toMatchObject({ createdBy: full.id, token: child.token });
    }
    const byApp = (await get(`/${user.username}/accesses`, { token: full.token })).body.accesses as Record<string, any>[];
    expect(byApp.map((a) => a.id)).toEqual([child.id]);
  });

  it("updates name, permissions, expiry and clientData as the reference allows", async () => {
    const user = await withStreams();
    const app = await access(user, { name: "app", type: "app", permissions: [{ streamId: "health", level: "contribute" }] });
    const child = await access(user, { name: "child", permissions: [{ streamId: "heart", level: "read" }] }, app.token);
    const res = await put(`/${user.username}/accesses/${child.id}`, { name: "renamed", permissions: [{ streamId: "heart", level: "contribute" }], clientData: { k: 1 } }, { token: app.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.access).toMatchObject({ name: "renamed", permissions: [{ streamId: "heart", level: "contribute" }], clientData: { k: 1 } });
    expectError(await put(`/${user.username}/accesses/${child.id}`, { permissions: [{ streamId: "diary", level: "read" }] }, { token: app.token }), 400, "invalid-operation");
    expectError(await put(`/${user.username}/accesses/${app.id}`, { name: "self" }, { token: app.token }), 403, "forbidden");
    // Narrowing the app below what its shared access holds is refused.
    const narrowing = await put(`/${user.username}/accesses/${app.id}`, { permissions: [{ streamId: "diary", level: "read" }] }, { token: user.token });
    expect(expectError(narrowing, 400, "invalid-operation").data).toEqual({ offendingChildren: [child.id] });
    expectError(await put(`/${user.username}/accesses/${app.id}`, { token: "x" }, { token: user.token }), 400, "invalid-parameters-format");
  });
});

describe("accesses.delete", () => {
  it("revokes at once — reads and writes — and cascades to what the access delegated", async () => {
    const user = await withStreams();
    const app = await access(user, { name: "app", type: "app", permissions: [{ streamId: "health", level: "contribute" }] });
    const child = await access(user, { name: "child", permissions: [{ streamId: "heart", level: "contribute" }] }, app.token);
    // Warm every cache with a write.
    expect((await post(`/${user.username}/events`, { streamIds: ["heart"], type: "note/txt", content: "before" }, { token: child.token })).status).toBe(201);
    const res = await del(`/${user.username}/accesses/${app.id}`, { token: user.token });
    expect(res.body).toEqual({
      accessDeletion: { id: app.id, deleted: expect.any(Number) },
      relatedDeletions: [{ id: child.id, deleted: expect.any(Number) }],
      meta: expect.any(Object),
    });
    for (const token of [app.token, child.token]) {
      expect(expectError(await get(`/${user.username}/events`, { token }), 403, "invalid-access-token").message).toBe("Cannot find access from token.");
      expectError(await post(`/${user.username}/events`, { streamIds: ["heart"], type: "note/txt", content: "after" }, { token }), 403, "invalid-access-token");
    }
  });

  it("who may delete what: app its own; self-revoke unless forbidden; shared nothing else", async () => {
    const user = await withStreams();
    const app = await access(user, { name: "app", type: "app", permissions: [{ streamId: "health", level: "read" }] });
    const other = await access(user, { name: "other", permissions: [] });
    const locked = await access(user, { name: "locked", permissions: [{ feature: "selfRevoke", setting: "forbidden" }] });
    const before = await accountSnapshot(user.username);
    expectError(await del(`/${user.username}/accesses/${other.id}`, { token: app.token }), 403, "forbidden");
    expectError(await del(`/${user.username}/accesses/${app.id}`, { token: other.token }), 403, "forbidden");
    expectError(await del(`/${user.username}/accesses/${locked.id}`, { token: locked.token }), 403, "forbidden");
    expect(await accountSnapshot(user.username)).toEqual(before);
    expect((await del(`/${user.username}/accesses/${other.id}`, { token: other.token })).status).toBe(200);
    expectError(await del(`/${user.username}/accesses/nope`, { token: user.token }), 404, "unknown-resource");
  });
});

describe("access-info", () => {
  it("describes the calling access, with the reference's added permissions and the user", async () => {
    const user = await withStreams();
    const app = await access(user, { name: "app", type: "app", permissions: [{ streamId: "health", level: "read" }] });
    const info = await get(`/${user.username}/access-info`, { token: app.token });
    expect(info.body).toMatchObject({ id: app.id, token: app.token, type: "app", name: "app", user: { username: user.username }, calls: {} });
    expect(info.body.permissions).toEqual([
      { streamId: ":_system:account", level: "none" },
      { streamId: "health", level: "read" },
      { streamId: `:_audit:access-${app.id}`, level: "read" },
    ]);
    expect((await get(`/${user.username}/access-info`, { token: user.token })).body).toMatchObject({ type: "personal", newOrigins: expect.any(Array) });
  });
});

describe("accesses.checkApp", () => {
  it("answers matchingAccess, then mismatchingAccess with checkedPermissions, or checkedPermissions alone", async () => {
    const user = await withStreams();
    const path = `/${user.username}/accesses/check-app`;
    const t = { token: user.token };
    const requested = [{ streamId: "health", level: "read", defaultName: "Health" }];
    const none = await post(path, { requestingAppId: "my-app", requestedPermissions: requested }, t);
    expect(none.body).toEqual({ checkedPermissions: [{ streamId: "health", level: "read", name: "Health" }], meta: expect.any(Object) });
    const app = await access(user, { name: "my-app", type: "app", permissions: [{ streamId: "health", level: "read" }] });
    expect((await post(path, { requestingAppId: "my-app", requestedPermissions: requested }, t)).body.matchingAccess.id).toBe(app.id);
    const wider = await post(path, { requestingAppId: "my-app", requestedPermissions: [...requested, { streamId: "food", level: "contribute", defaultName: "Diary" }] }, t);
    expect(wider.body.mismatchingAccess.id).toBe(app.id);
    expect(wider.body.checkedPermissions[1]).toEqual({ streamId: "food", level: "contribute", defaultName: "Diary (1)" });
    expect(wider.body.error.id).toBe("item-already-exists");
    expectError(await post(path, { requestingAppId: "my-app", requestedPermissions: [{ streamId: "x", level: "read" }] }, t), 400, "invalid-parameters-format");
    expectError(await post(path, { requestingAppId: "my-app", requestedPermissions: requested }, { token: app.token }), 403, "forbidden");
  });
});
