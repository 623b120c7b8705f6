/** The per-client password-guessing throttle on its own, with a clock the tests move (src/account-do/login-guard.ts). */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createLoginGuard } from "../../src/account-do/login-guard";
import { addressClient, sessionClient } from "../../src/auth/login-clients";
import { ApiError } from "../../src/errors";

const WINDOW_MS = 300_000;

/** A guard on a fresh Durable Object's storage (5 failures per 300 s), and its clock. */
async function withGuard(test: (guard: ReturnType<typeof createLoginGuard>, clock: { now: number }, storage: SyncKvStorage) => void) {
  const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(`guard-${crypto.randomUUID()}`));
  await runInDurableObject(stub, (_instance, state) => {
    const clock = { now: 1_000_000 };
    const guard = createLoginGuard(state.storage.kv, { maxFailures: 5, lockSeconds: 300, maxClients: 3, now: () => clock.now });
    test(guard, clock, state.storage.kv);
  });
}

/** Seconds `client` must wait now (0: it may try). */
function waitOf(guard: ReturnType<typeof createLoginGuard>, client: string): number {
  try {
    guard.assertAllowed(client);
    return 0;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).id).toBe("too-many-requests");
    return Number((err as ApiError).headers?.["Retry-After"]);
  }
}

const fail = (guard: ReturnType<typeof createLoginGuard>, client: string, times: number) => {
  for (let i = 0; i < times; i++) guard.recordFailure(client);
};

describe("login guard", () => {
  it("allows 5 failures per client, then makes it wait 300 s, doubling with each further failure", async () => {
    await withGuard((guard, clock) => {
      fail(guard, "ip:a", 4);
      expect(waitOf(guard, "ip:a")).toBe(0);
      guard.recordFailure("ip:a");
      expect(waitOf(guard, "ip:a")).toBe(300);
      expect(waitOf(guard, "ip:b")).toBe(0); // another client is not slowed down
      clock.now += WINDOW_MS;
      expect(waitOf(guard, "ip:a")).toBe(0);
      guard.recordFailure("ip:a");
      expect(waitOf(guard, "ip:a")).toBe(600);
      clock.now += 2 * WINDOW_MS;
      guard.recordFailure("ip:a");
      expect(waitOf(guard, "ip:a")).toBe(1200);
    });
  });

  it("never waits more than an hour", async () => {
    await withGuard((guard) => {
      fail(guard, "ip:a", 30);
      expect(waitOf(guard, "ip:a")).toBe(3600);
    });
  });

  it("forgets a client a window after its wait, or at once when it gives the right password", async () => {
    await withGuard((guard, clock) => {
      fail(guard, "ip:a", 5);
      clock.now += 2 * WINDOW_MS; // 300 s of wait, then 300 s without failure
      guard.recordFailure("ip:a");
      expect(waitOf(guard, "ip:a")).toBe(0); // a fresh allowance: this was failure 1 of 5
      fail(guard, "ip:b", 4);
      guard.forgive("ip:b");
      guard.recordFailure("ip:b");
      expect(waitOf(guard, "ip:b")).toBe(0);
    });
  });

  it("keeps at most maxClients entries: prunes expired ones, then new clients share one allowance", async () => {
    await withGuard((guard, clock, storage) => {
      const entries = () => [...storage.list({ prefix: "login-guard:" })].length;
      fail(guard, "ip:old", 1);
      clock.now += WINDOW_MS; // ip:old has expired
      fail(guard, "ip:1", 1);
      fail(guard, "ip:2", 1);
      fail(guard, "ip:3", 1); // the table is full: ip:old is pruned to make room
      expect(entries()).toBe(3);
      for (let i = 0; i < 10; i++) guard.recordFailure(`ip:new-${i}`);
      expect(entries()).toBe(4); // three clients and the overflow entry
      expect(waitOf(guard, "ip:another-new-one")).toBeGreaterThan(0); // the overflow allowance is spent
      expect(waitOf(guard, "ip:1")).toBe(0); // known clients keep their own
      guard.forgive("ip:new-0"); // one right password does not clear what others share
      expect(waitOf(guard, "ip:new-0")).toBeGreaterThan(0);
      guard.reset();
      expect(entries()).toBe(0);
    });
  });
});

describe("clients", () => {
  it.each([
    ["203.0.113.7", "ip:203.0.113.7"],
    ["2001:db8:0:1::5", "ip:2001:db8:0:1::/64"],
    ["2001:0DB8:0000:0001:ffff:1:2:3", "ip:2001:db8:0:1::/64"],
    ["::ffff:198.51.100.2", "ip:198.51.100.2"],
    ["::1", "ip:::/64"],
    [null, "ip:unknown"],
    ["not an address", "ip:unknown"],
    ["1:2:3:4:5:6:7:8:9", "ip:unknown"],
    ["300.1.1.1", "ip:unknown"],
  ])("%s → %s", (ip, client) => {
    expect(addressClient(ip)).toBe(client);
  });

  it("a session is a client of its own", () => {
    expect(sessionClient("abc")).toBe("session:abc");
  });
});
