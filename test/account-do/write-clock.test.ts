/**
 * The account's write clock: a group of writes saves it once, before its D1
 * batch, and what is saved is where a new instance of the object (after an
 * eviction) continues — never at or before a stamp that reached D1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountStub } from "../../src/account-do/stub";
import { WriteClock } from "../../src/account-do/write-clock";
import { post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { userRow } from "../helpers/db";
import { createUser } from "../helpers/users";

interface Saved {
  serial: number;
  lastMs: number;
}

describe("the account's write clock", () => {
  it("saves at once, or on save() when asked to wait; a new instance continues after what was saved", async () => {
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(`clock-${crypto.randomUUID()}`));
    await runInDurableObject(stub, (_instance, state) => {
      const kv = state.storage.kv;
      const clock = new WriteClock(kv);
      const first = clock.next(false);
      expect(kv.get<Saved>("clock")).toEqual({ serial: first.serial, lastMs: first.time * 1000 });

      const waiting = [clock.next(true), clock.next(true), clock.next(true)];
      expect(kv.get<Saved>("clock")!.serial).toBe(first.serial); // not yet
      clock.save();
      const last = waiting.at(-1)!;
      expect(kv.get<Saved>("clock")).toEqual({ serial: last.serial, lastMs: last.time * 1000 });

      const stamps = [first, ...waiting, new WriteClock(kv).next(false)];
      expect(stamps.map((s) => s.serial)).toEqual([1, 2, 3, 4, 5].map((n) => first.serial + n - 1));
      expect(stamps.every((s, i) => i === 0 || s.time > stamps[i - 1]!.time)).toBe(true);
    });
  });

  it("after a grouped batch of creates, the saved clock covers every stamp the batch stored", async () => {
    const user = await createUser();
    const stream = await createStream(user, { name: "Diary" });
    const calls = Array.from({ length: 6 }, (_, i) => ({ method: "events.create", params: { streamIds: [stream.id], type: "note/txt", content: `n${i}` } }));
    const res = await post(`/${user.username}/`, calls, { token: user.token });
    expect(res.status).toBe(200);
    const created = (res.body.results as { event: { id: string; modified: number } }[]).map((r) => r.event);
    expect(created).toHaveLength(6);

    const { id: userId } = (await userRow(user.username))!;
    const stored = await env.DB.prepare("SELECT MAX(serial) AS serial FROM events WHERE user_id = ?").bind(userId).first<{ serial: number }>();
    const saved = await runInDurableObject(accountStub(env, user.username), (_instance, state) => state.storage.kv.get<Saved>("clock")!);
    expect(saved.serial).toBeGreaterThanOrEqual(stored!.serial);
    expect(saved.lastMs / 1000).toBeGreaterThanOrEqual(Math.max(...created.map((e) => e.modified)));
  });
});
