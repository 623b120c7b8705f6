/**
 * Integrity stays true: recomputes the integrity of what the API returns for
 * every event (deletions and past versions included) of the accounts that
 * tests created, with the same function the server uses (itself pinned to
 * the reference's vectors in test/events/integrity.test.ts).
 */
import { expect } from "vitest";
import { eventIntegrity } from "../../src/events/integrity";
import { get } from "./api";
import { createdUsers } from "./users";

/** Checks every account created so far in this test file; returns how many events it checked. */
export async function expectStoredIntegrity(): Promise<number> {
  let checked = 0;
  for (const user of createdUsers()) {
    const t = { token: user.token };
    const res = await get(`/${user.username}/events`, { ...t, query: { state: "all", limit: 10_000, modifiedSince: -1e10, includeDeletions: true } });
    if (res.status !== 200) continue; // the account or its token is gone (deletion tests)
    const versions: Record<string, unknown>[] = [...res.body.events, ...(res.body.eventDeletions ?? [])];
    for (const event of res.body.events) {
      const one = await get(`/${user.username}/events/${event.id}`, { ...t, query: { includeHistory: true } });
      expect(one.body.event, "events.get and events.getOne agree").toEqual(event);
      versions.push(...(one.body.history ?? []));
    }
    for (const version of versions) {
      if (version.integrity === undefined) continue;
      expect(version.integrity, JSON.stringify(version)).toBe(await eventIntegrity(structuredClone(version)));
      checked++;
    }
  }
  return checked;
}
