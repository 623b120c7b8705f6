/**
 * The account's write clock: a write that commits on its own saves it in the
 * object's storage at once; a group of writes saves it in D1, in the same
 * transaction as its writes. A new instance of the object (after an
 * eviction) continues after the later copy — never at or before a stamp
 * that reached D1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountStub } from "../../src/account-do/stub";
import { WriteClock } from "../../src/account-do/write-clock";
import { createDb, runBatch } from "../../src/db/client";
import { post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { userRow } from "../helpers/db";
import { createUser } from "../helpers/users";

interface Saved {
  serial: number;
  lastMs: number;
}

const d1Clock = (object: string) =>
  env.DB.prepare("SELECT serial, last_ms AS lastMs FROM account_clocks WHERE object = ?").bind(object).first<Saved>();

describe("the account's write clock", () => {
  it("saves a stamp in storage at once, a group's stamps in D1 with its batch; a new instance continues after the later copy", async () => {
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(`clock-${crypto.randomUUID()}`));
    await runInDurableObject(stub, async (_instance, state) => {
      const kv = state.storage.kv;
      const object = state.id.toString();
      const db = createDb(env.DB);
      const clock = new WriteClock(kv, object);
      expect(() => clock.next(false)).toThrow(/before it was loaded/);
      await clock.ready(env.DB);
      const first = clock.next(false);
      expect(kv.get<Saved>("clock")).toEqual({ serial: first.serial, lastMs: first.time * 1000 });
      expect(clock.pendingSave(db)).toBeNull(); // nothing waits

      const grouped = [clock.next(true), clock.next(true), clock.next(true)];
      expect(kv.get<Saved>("clock")!.serial).toBe(first.serial); // not in storage
      const pending = clock.pendingSave(db)!;
      await runBatch(db, [pending.statement]);
      pending.saved();
      expect(clock.pendingSave(db)).toBeNull();
      const last = grouped.at(-1)!;
      expect(await d1Clock(object)).toEqual({ serial: last.serial, lastMs: last.time * 1000 });

      // A new instance: storage says `first`, D1 says `last`: it continues after `last`.
      const next = new WriteClock(kv, object);
      await next.ready(env.DB);
      const after = next.next(false);
      expect(after.serial).toBe(last.serial + 1);
      expect(after.time).toBeGreaterThan(last.time);

      // And when storage is ahead of D1 (a write committed alone since), after storage.
      const again = new WriteClock(kv, object);
      await again.ready(env.DB);
      expect(again.next(true).serial).toBe(after.serial + 1);
    });
  });

  it("after a grouped batch of creates, D1 holds a clock covering every stamp the batch stored, not the object's storage", async () => {
    const user = await createUser();
    const stream = await createStream(user, { name: "Diary" });
    const stub = accountStub(env, user.username);
    const object = stub.id.toString();
    const before = await runInDurableObject(stub, (_instance, state) => state.storage.kv.get<Saved>("clock")!);

    const calls = Array.from({ length: 6 }, (_, i) => ({ method: "events.create", params: { streamIds: [stream.id], type: "note/txt", content: `n${i}` } }));
    const res = await post(`/${user.username}/`, calls, { token: user.token });
    expect(res.status).toBe(200);
    const created = (res.body.results as { event: { id: string; modified: number } }[]).map((r) => r.event);
    expect(created).toHaveLength(6);

    const { id: userId } = (await userRow(user.username))!;
    const stored = await env.DB.prepare("SELECT MAX(serial) AS serial FROM events WHERE user_id = ?").bind(userId).first<{ serial: number }>();
    const saved = (await d1Clock(object))!;
    expect(saved.serial).toBeGreaterThanOrEqual(stored!.serial);
    expect(saved.lastMs / 1000).toBeGreaterThanOrEqual(Math.max(...created.map((e) => e.modified)));
    const inStorage = await runInDurableObject(stub, (_instance, state) => state.storage.kv.get<Saved>("clock")!);
    expect(inStorage).toEqual(before); // the group wrote no storage

    // What a new instance of the object would stamp next is after all of them.
    const resumed = await runInDurableObject(stub, async (_instance, state) => {
      const clock = new WriteClock(state.storage.kv, state.id.toString());
      await clock.ready(env.DB);
      return clock.next(true);
    });
    expect(resumed.serial).toBeGreaterThan(stored!.serial);
    expect(resumed.time).toBeGreaterThan(Math.max(...created.map((e) => e.modified)));
  });
});
