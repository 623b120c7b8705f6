/**
 * The events this Durable Object wrote last, or read for a group of updates
 * (`prime`), as stored: an update of one of them needs no read of its own
 * and joins the group of writes committed together. Every write of an
 * account's events runs in its object, and the object forgets them all after
 * any call that may change events otherwise (see KEEPS_RECENT_EVENTS), so the
 * copies stay exact; a short lifetime bounds what an operator's SQL could
 * leave behind, as for the caller caches.
 */
import type { Db } from "../db/client";
import type { ApiEvent } from "../events/events.schema";
import { isAccountEvent } from "../events/events.rules";
import { findLiveEvents } from "../events/events.store";

const LIFETIME_MS = 30_000;
const MAX_ENTRIES = 1000;
/** Most events one `prime` reads: far fewer than are kept, so none it reads is dropped before it is used. */
const PRIMED_AT_MOST = 500;

/** The calls after which the kept events are still exact (they keep them up to date themselves). */
export const KEEPS_RECENT_EVENTS: ReadonlySet<string> = new Set(["events.create", "events.update", "events.get", "events.getOne"]);

export class RecentEvents {
  /** By event id (one account per object; the user id tells an account re-created under the name apart). */
  private readonly entries = new Map<string, { userId: number; event: ApiEvent; at: number }>();

  get(userId: number, id: string): ApiEvent | null {
    const event = this.kept(id);
    return event && this.entries.get(id)!.userId === userId ? structuredClone(event) : null; // callers build the next version from it
  }

  /**
   * The kept copy of event `id` (not to be changed), whatever account wrote it.
   * `forMs`: only if it is still kept that much longer (a group relies on it while it runs).
   */
  kept(id: string, forMs = 0): ApiEvent | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    const age = Date.now() - entry.at;
    if (age > LIFETIME_MS) {
      this.entries.delete(id);
      return null;
    }
    return age + forMs > LIFETIME_MS ? null : entry.event;
  }

  /**
   * Keeps `event`, which its caller no longer changes (each caller hands over a version it built,
   * or read, and only reads it afterwards): copying it here was about 1 % of a create's CPU.
   * `get` still hands out copies, which updates build on.
   */
  remember(userId: number, event: ApiEvent): void {
    this.entries.delete(event.id);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(event.id, { userId, event, at: Date.now() });
  }

  /**
   * Reads and keeps, in one D1 round trip, those of events `ids` of account
   * `username` that are live and not kept for `forMs` more. Only while no
   * write of the account waits uncommitted: D1 then holds the latest version
   * of each. (Account field events change through the account: never kept.)
   */
  async prime(db: Db, username: string, ids: Iterable<string>, forMs: number): Promise<void> {
    const wanted = [...new Set(ids)].filter((id) => !isAccountEvent(id) && !this.kept(id, forMs)).slice(0, PRIMED_AT_MOST);
    if (!wanted.length) return;
    for (const { userId, event } of await findLiveEvents(db, username, wanted)) this.remember(userId, event);
  }

  clear(): void {
    this.entries.clear();
  }
}
