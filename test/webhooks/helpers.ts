/** Webhook test set-ups: accesses to own webhooks, the receiver's URLs, the alarm. */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { accountStub } from "../../src/account-do/stub";
import { get, post } from "../helpers/api";
import type { TestUser } from "../helpers/users";

/** Answers per path: see `webhookReceiver` in test/vitest.config.ts. */
export const receiver = (path: string) => `http://webhook-receiver.test${path}`;

let names = 0;
export async function createAccess(
  user: TestUser,
  type: "app" | "shared",
  permissions: unknown[] = [{ streamId: "*", level: "read" }],
): Promise<{ id: string; token: string }> {
  const res = await post(`/${user.username}/accesses`, { name: `hooks-${type}-${++names}`, type, permissions }, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.access;
}

export async function createWebhook(user: TestUser, token: string, url: string) {
  const res = await post(`/${user.username}/webhooks`, { url }, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.webhook as Record<string, any> & { id: string };
}

export async function webhook(user: TestUser, id: string) {
  const res = await get(`/${user.username}/webhooks/${id}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.webhook as Record<string, any>;
}

/** Rings the account's alarm now (it delivers what is due); false when none was set. */
export const ringAlarm = (user: TestUser) => runDurableObjectAlarm(accountStub(env, user.username));

/**
 * The clock of the isolate (tests, Worker and Durable Objects share it), an
 * hour ahead of the real one: alarms the code sets are then far in the real
 * future and never ring by themselves — only `ringAlarm` rings them.
 */
export function controlClock(): { advance(ms: number): void } {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3600_000 });
  return { advance: (ms) => vi.setSystemTime(Date.now() + ms) };
}
