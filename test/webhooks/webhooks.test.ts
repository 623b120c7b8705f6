/** webhooks.get/getOne/create/update/delete/test: shapes, who may do what, errors. */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { del, expectError, get, post, put } from "../helpers/api";
import { createUser, type TestUser } from "../helpers/users";
import { controlClock, createAccess, createWebhook, receiver } from "./helpers";

let user: TestUser;
beforeEach(async () => {
  controlClock();
  user = await createUser();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("webhooks.create", () => {
  it("creates a webhook for an app access, with the reference's shape and defaults", async () => {
    const app = await createAccess(user, "app");
    const res = await post(`/${user.username}/webhooks`, { url: receiver("/ok") }, { token: app.token });
    expect(res.status).toBe(201);
    const hook = res.body.webhook;
    expect(Object.keys(hook).sort()).toEqual(
      [
        "id", "accessId", "url", "state", "runCount", "failCount", "currentRetries", "maxRetries", "minIntervalMs",
        "lastRun", "runs", "created", "createdBy", "modified", "modifiedBy",
      ].sort(),
    );
    expect(hook).toMatchObject({
      accessId: app.id,
      url: receiver("/ok"),
      state: "active",
      runCount: 0,
      failCount: 0,
      currentRetries: 0,
      maxRetries: 5,
      minIntervalMs: 5000,
      lastRun: { status: 0, timestamp: 0 },
      runs: [],
      createdBy: app.id,
      modifiedBy: app.id,
    });
    expect(hook.created).toBeCloseTo(Date.now() / 1000, 0);
  });

  it("creates one for a shared access", async () => {
    const shared = await createAccess(user, "shared");
    const hook = await createWebhook(user, shared.token, receiver("/ok"));
    expect(hook.accessId).toBe(shared.id);
  });

  it("refuses a personal token", async () => {
    expectError(await post(`/${user.username}/webhooks`, { url: receiver("/ok") }, { token: user.token }), 403, "forbidden");
  });

  it("refuses the same url twice for one access (409), not for another access", async () => {
    const app = await createAccess(user, "app");
    const other = await createAccess(user, "app");
    await createWebhook(user, app.token, receiver("/ok"));
    const again = await post(`/${user.username}/webhooks`, { url: receiver("/ok") }, { token: app.token });
    expect(expectError(again, 409, "item-already-exists").data).toEqual({ url: receiver("/ok") });
    await createWebhook(user, other.token, receiver("/ok"));
  });

  it("refuses anything but an http(s) url, and unknown fields", async () => {
    const app = await createAccess(user, "app");
    for (const body of [{ url: "ftp://example.com/x" }, { url: "not a url" }, { url: "https://user:pw@example.com/" }, {}, { url: receiver("/ok"), state: "active" }]) {
      expectError(await post(`/${user.username}/webhooks`, body, { token: app.token }), 400, "invalid-parameters-format");
    }
  });

  it("accepts private targets in local mode (WEBHOOKS_ALLOW_PRIVATE=true in wrangler.toml)", async () => {
    const app = await createAccess(user, "app");
    await createWebhook(user, app.token, "http://127.0.0.1:9/hook");
    await createWebhook(user, app.token, "http://localhost:3000/hook");
  });
});

describe("webhooks.get / getOne", () => {
  it("an access sees its own webhooks; a personal token sees all", async () => {
    const app = await createAccess(user, "app");
    const shared = await createAccess(user, "shared");
    const a = await createWebhook(user, app.token, receiver("/ok?a"));
    const s = await createWebhook(user, shared.token, receiver("/ok?s"));
    const ids = async (token: string) => ((await get(`/${user.username}/webhooks`, { token })).body.webhooks as { id: string }[]).map((w) => w.id);
    expect(await ids(app.token)).toEqual([a.id]);
    expect(await ids(shared.token)).toEqual([s.id]);
    expect((await ids(user.token)).sort()).toEqual([a.id, s.id].sort());

    expect((await get(`/${user.username}/webhooks/${a.id}`, { token: app.token })).body.webhook).toEqual(a);
    expect((await get(`/${user.username}/webhooks/${a.id}`, { token: user.token })).body.webhook).toEqual(a);
    expectError(await get(`/${user.username}/webhooks/${a.id}`, { token: shared.token }), 403, "forbidden");
    expectError(await get(`/${user.username}/webhooks/unknown-hook`, { token: app.token }), 404, "unknown-resource");
  });
});

describe("webhooks.update", () => {
  it("changes the state only; read-only fields are forbidden, others invalid", async () => {
    const app = await createAccess(user, "app");
    const hook = await createWebhook(user, app.token, receiver("/ok"));
    const off = await put(`/${user.username}/webhooks/${hook.id}`, { state: "inactive" }, { token: app.token });
    expect(off.status).toBe(200);
    expect(off.body.webhook).toMatchObject({ id: hook.id, state: "inactive", modifiedBy: app.id });
    const on = await put(`/${user.username}/webhooks/${hook.id}`, { state: "active" }, { token: user.token });
    expect(on.body.webhook).toMatchObject({ state: "active", currentRetries: 0 });
    expect(on.body.webhook.modifiedBy).not.toBe(app.id);

    expectError(await put(`/${user.username}/webhooks/${hook.id}`, { url: receiver("/fail") }, { token: app.token }), 403, "forbidden");
    expectError(await put(`/${user.username}/webhooks/${hook.id}`, { runCount: 3 }, { token: app.token }), 403, "forbidden");
    expectError(await put(`/${user.username}/webhooks/${hook.id}`, { colour: "red" }, { token: app.token }), 400, "invalid-parameters-format");
    expectError(await put(`/${user.username}/webhooks/${hook.id}`, { state: "sleepy" }, { token: app.token }), 400, "invalid-parameters-format");
    const other = await createAccess(user, "app");
    expectError(await put(`/${user.username}/webhooks/${hook.id}`, { state: "inactive" }, { token: other.token }), 403, "forbidden");
    expectError(await put(`/${user.username}/webhooks/nope`, { state: "inactive" }, { token: app.token }), 404, "unknown-resource");
  });
});

describe("webhooks.delete", () => {
  it("deletes the caller's webhook (personal: any)", async () => {
    const app = await createAccess(user, "app");
    const one = await createWebhook(user, app.token, receiver("/ok?1"));
    const two = await createWebhook(user, app.token, receiver("/ok?2"));
    const other = await createAccess(user, "shared");
    expectError(await del(`/${user.username}/webhooks/${one.id}`, { token: other.token }), 403, "forbidden");
    const res = await del(`/${user.username}/webhooks/${one.id}`, { token: app.token });
    expect(res.status).toBe(200);
    expect(res.body.webhookDeletion).toEqual({ id: one.id, deleted: expect.any(Number) });
    expect((await del(`/${user.username}/webhooks/${two.id}`, { token: user.token })).status).toBe(200);
    expectError(await get(`/${user.username}/webhooks/${one.id}`, { token: app.token }), 404, "unknown-resource");
    expectError(await del(`/${user.username}/webhooks/${one.id}`, { token: app.token }), 404, "unknown-resource");
  });

  it("webhooks go with their access, and with what it delegated", async () => {
    const app = await createAccess(user, "app", [{ streamId: "*", level: "manage" }]);
    const hook = await createWebhook(user, app.token, receiver("/ok"));
    const delegated = await post(
      `/${user.username}/accesses`,
      { name: "delegated", type: "shared", permissions: [{ streamId: "*", level: "read" }] },
      { token: app.token },
    );
    expect(delegated.status, JSON.stringify(delegated.body)).toBe(201);
    const child = await createWebhook(user, delegated.body.access.token, receiver("/ok"));
    const keep = await createWebhook(user, (await createAccess(user, "app")).token, receiver("/ok"));
    expect((await del(`/${user.username}/accesses/${app.id}`, { token: user.token })).status).toBe(200);
    for (const gone of [hook, child]) expectError(await get(`/${user.username}/webhooks/${gone.id}`, { token: user.token }), 404, "unknown-resource");
    expect((await get(`/${user.username}/webhooks`, { token: user.token })).body.webhooks.map((w: { id: string }) => w.id)).toEqual([keep.id]);
  });

  it("webhooks go with their account", async () => {
    const app = await createAccess(user, "app");
    await createWebhook(user, app.token, receiver("/ok"));
    const { id: userId } = (await env.DB.prepare("SELECT id FROM users WHERE username = ?").bind(user.username).first<{ id: number }>())!;
    expect((await del(`/users/${user.username}`, { token: user.token })).status).toBe(200);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM webhooks WHERE user_id = ?").bind(userId).first<{ n: number }>();
    expect(left!.n).toBe(0);
  });
});

describe("webhooks.test", () => {
  it("sends a test call now and records its run; a failing receiver is unknown-referenced-resource", async () => {
    const app = await createAccess(user, "app");
    const ok = await createWebhook(user, app.token, receiver("/check?messages=test"));
    const res = await post(`/${user.username}/webhooks/${ok.id}/test`, undefined, { token: app.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.webhook).toMatchObject({ runCount: 1, failCount: 0, currentRetries: 0, lastRun: { status: 200 } });
    expect(res.body.webhook.runs).toEqual([{ status: 200, timestamp: expect.any(Number) }]);

    const failing = await createWebhook(user, app.token, receiver("/fail"));
    const failed = await post(`/${user.username}/webhooks/${failing.id}/test`, undefined, { token: app.token });
    expect(expectError(failed, 400, "unknown-referenced-resource").data).toEqual({ url: receiver("/fail") });
    expect(JSON.stringify(failed.body)).not.toContain("nope"); // the receiver's answer is not reflected
    const after = (await get(`/${user.username}/webhooks/${failing.id}`, { token: app.token })).body.webhook;
    expect(after).toMatchObject({ runCount: 1, failCount: 1, currentRetries: 0, state: "active", lastRun: { status: 500 } });
    expectError(await post(`/${user.username}/webhooks/nope/test`, undefined, { token: app.token }), 404, "unknown-resource");
  });
});
