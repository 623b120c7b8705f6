/**
 * The events this Durable Object wrote last, as stored: an update of one of
 * them needs no read first (one D1 round trip per update instead of two).
 * Every write of an account's events runs in its object, and the object
 * forgets them all after any call that may change events otherwise (see
 * KEEPS_RECENT_EVENTS), so the copies stay exact; a short lifetime bounds what
 * an operator's SQL could leave behind, as for the caller caches.
 */
import type { ApiEvent } from "../events/events.schema";

const LIFETIME_MS = 30_000;
const MAX_ENTRIES = 1000;

/** The calls after which the kept events are still exact (they keep them up to date themselves). */
export const KEEPS_RECENT_EVENTS: ReadonlySet<string> = new Set(["events.create", "events.update", "events.get", "events.getOne"]);

export class RecentEvents {
  private readonly entries = new Map<string, { event: ApiEvent; at: number }>();

  get(userId: number, id: string): ApiEvent | null {
    const key = `${userId}:${id}`;
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (Date.now() - entry.at > LIFETIME_MS) {
      this.entries.delete(key);
      return null;
    }
    return structuredClone(entry.event); // callers build the next version from it
  }

  remember(userId: number, event: ApiEvent): void {
    const key = `${userId}:${event.id}`;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { event: structuredClone(event), at: Date.now() });
  }

  clear(): void {
    this.entries.clear();
  }
}
