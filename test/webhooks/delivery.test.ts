/**
 * Delivery: what a webhook is told, when (throttle, back-off from the
 * account's alarm) and its deactivation. The receiver answers per path
 * (test/vitest.config.ts); deliveries are observed through the webhook's own
 * `runs`, `runCount`, `failCount`, `currentRetries` and `state`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { del, put } from "../helpers/api";
import { createEvent, createStream } from "../helpers/data";
import { createUser, type TestUser } from "../helpers/users";
import { controlClock, createAccess, createWebhook, receiver, ringAlarm, webhook } from "./helpers";

let user: TestUser;
let clock: { advance(ms: number): void };
beforeEach(async () => {
  clock = controlClock();
  user = await createUser();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("webhook delivery", () => {
  it("POSTs {messages, meta} after a write; changes within minIntervalMs are merged into the next call", async () => {
    const app = await createAccess(user, "app");
    const hook = await createWebhook(user, app.token, receiver("/check?messages=eventsChanged,streamsChanged"));
    const stream = await createStream(user, { name: "Diary" });
    await createEvent(user, { streamIds: [stream.id] });
    await ringAlarm(user);
    const first = await webhook(user, hook.id);
    expect(first).toMatchObject({ runCount: 1, failCount: 0, currentRetries: 0, lastRun: { status: 200 } });
    expect(first.lastRun.timestamp).toBeCloseTo(Date.now() / 1000, 0);

    // Throttled: nothing before minIntervalMs (5 s) since the last call, then one call with both changes.
    await createEvent(user, { streamIds: [stream.id] });
    await ringAlarm(user);
    clock.advance(2000);
    await createStream(user, { name: "Notes" });
    await ringAlarm(user);
    expect((await webhook(user, hook.id)).runCount).toBe(1);
    clock.advance(3100);
    await ringAlarm(user);
    const second = await webhook(user, hook.id);
    expect(second).toMatchObject({ runCount: 2, failCount: 0, lastRun: { status: 200 } });
    expect(second.runs.map((r: { status: number }) => r.status)).toEqual([200, 200]);
  });

  it("retries with exponential back-off, turns inactive after maxRetries failures; an update reactivates it", async () => {
    const app = await createAccess(user, "app");
    const hook = await createWebhook(user, app.token, receiver("/fail"));
    await createEvent(user, { streamIds: [(await createStream(user, { name: "S" })).id] });
    await ringAlarm(user);
    expect(await webhook(user, hook.id)).toMatchObject({ runCount: 1, failCount: 1, currentRetries: 1, state: "active", lastRun: { status: 500 } });

    // Retry n waits minIntervalMs * 2^(n-1): 5 s, 10 s, 20 s, 40 s.
    for (const [wait, retries] of [[5000, 2], [10_000, 3], [20_000, 4]] as const) {
      clock.advance(wait - 200);
      await ringAlarm(user);
      expect((await webhook(user, hook.id)).currentRetries).toBe(retries - 1);
      clock.advance(200);
      await ringAlarm(user);
      expect((await webhook(user, hook.id)).currentRetries).toBe(retries);
    }
    clock.advance(40_000);
    await ringAlarm(user);
    const off = await webhook(user, hook.id);
    expect(off).toMatchObject({ runCount: 5, failCount: 5, currentRetries: 5, state: "inactive" });
    expect(off.runs).toHaveLength(5);

    // Inactive: told nothing more.
    await createStream(user, { name: "T" });
    clock.advance(60_000);
    await ringAlarm(user);
    expect((await webhook(user, hook.id)).runCount).toBe(5);

    const on = await put(`/${user.username}/webhooks/${hook.id}`, { state: "active" }, { token: app.token });
    expect(on.body.webhook).toMatchObject({ state: "active", currentRetries: 0, failCount: 5 });
    await createStream(user, { name: "U" });
    await ringAlarm(user);
    expect(await webhook(user, hook.id)).toMatchObject({ runCount: 6, currentRetries: 1, state: "active" });
  });

  // (A network error takes the timeout's path, status 0; the test pool answers 500 for a failed outbound call, so it is not staged here.)
  it("never follows a redirect: a 3xx is a failure", async () => {
    const app = await createAccess(user, "app");
    const redirect = await createWebhook(user, app.token, receiver("/redirect"));
    await createStream(user, { name: "S" });
    await ringAlarm(user);
    expect(await webhook(user, redirect.id)).toMatchObject({ runCount: 1, failCount: 1, lastRun: { status: 302 } });
  });

  it("gives up on a receiver after 10 s (status 0)", async () => {
    const app = await createAccess(user, "app");
    const slow = await createWebhook(user, app.token, receiver("/slow"));
    await createStream(user, { name: "S" });
    await ringAlarm(user);
    expect(await webhook(user, slow.id)).toMatchObject({ runCount: 1, failCount: 1, currentRetries: 1, lastRun: { status: 0 } });
  }, 30_000);

  it("tells a webhook only of changes its access may read", async () => {
    const seen = await createStream(user, { name: "Seen" });
    const hidden = await createStream(user, { name: "Hidden" });
    const app = await createAccess(user, "app", [{ streamId: seen.id, level: "read" }]);
    const hook = await createWebhook(user, app.token, receiver("/check?messages=eventsChanged"));
    await createEvent(user, { streamIds: [hidden.id] });
    await createStream(user, { name: "Elsewhere", parentId: hidden.id });
    await createAccess(user, "shared"); // not created by the app: not told
    await ringAlarm(user);
    expect((await webhook(user, hook.id)).runCount).toBe(0);

    const event = await createEvent(user, { streamIds: [hidden.id, seen.id] });
    await ringAlarm(user);
    expect(await webhook(user, hook.id)).toMatchObject({ runCount: 1, lastRun: { status: 200 } });

    // Moving it out of the readable stream is told too (it was readable before).
    clock.advance(5000);
    expect((await put(`/${user.username}/events/${event.id}`, { streamIds: [hidden.id] }, { token: user.token })).status).toBe(200);
    await ringAlarm(user);
    expect(await webhook(user, hook.id)).toMatchObject({ runCount: 2, lastRun: { status: 200 } });
  });

  it("a webhook deleted with its access is not called for what was pending", async () => {
    const app = await createAccess(user, "app");
    const hook = await createWebhook(user, app.token, receiver("/ok"));
    await createStream(user, { name: "S" });
    expect((await del(`/${user.username}/accesses/${app.id}`, { token: user.token })).status).toBe(200);
    await ringAlarm(user);
    const res = await del(`/${user.username}/webhooks/${hook.id}`, { token: user.token });
    expect(res.status).toBe(404);
  });
});
