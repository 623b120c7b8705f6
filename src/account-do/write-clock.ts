/**
 * The account's write clock (one per Durable Object): serials and times
 * strictly increasing across the object's lifetimes, so `modifiedSince` sync
 * never misses a write. Only this object writes it: the copy in memory is
 * exact once loaded (`ready`, once per instance).
 *
 * Two durable copies, and a new instance continues after the later: the
 * object's storage, written at once for a write that commits on its own, and
 * D1's `account_clocks` row, written inside the D1 transaction of a group of
 * grouped writes (`pendingSave`) — that storage write was about 4 % of a
 * create's CPU in the bench's profile, and a group needs no earlier copy: a
 * stamp is only carried by a D1 write, and that write saves the clock with it.
 */
import { prepared, type Db, type Statement } from "../db/client";
import type { WriteStamp } from "./account-writer";

interface ClockState {
  serial: number;
  lastMs: number;
}

const CLOCK_KEY = "clock";

const SAVE_SQL =
  "INSERT INTO account_clocks (object, serial, last_ms) VALUES (?1, ?2, ?3) " +
  "ON CONFLICT (object) DO UPDATE SET serial = max(serial, excluded.serial), last_ms = max(last_ms, excluded.last_ms)";

const later = (a: ClockState | null, b: ClockState | null): ClockState => ({
  serial: Math.max(a?.serial ?? 0, b?.serial ?? 0),
  lastMs: Math.max(a?.lastMs ?? 0, b?.lastMs ?? 0),
});

export class WriteClock {
  private state: ClockState | null = null;
  private loading: Promise<void> | null = null;
  /** The highest serial a durable copy covers (stamps above it wait for `pendingSave`). */
  private savedSerial = 0;

  /** `object`: the Durable Object's id, the key of its row in D1. */
  constructor(
    private readonly storage: SyncKvStorage,
    private readonly object: string,
  ) {}

  /**
   * Loads the clock, once per instance: one D1 read, among the instance's
   * first queries (so at the primary with read replicas too:
   * src/db/replicas.ts), while the call's own first reads run; its first
   * stamp waits for it. A failed read fails that call, and the next call
   * tries again.
   */
  ready(d1: D1Database): Promise<void> {
    if (this.state) return Promise.resolve();
    this.loading ??= d1
      .prepare("SELECT serial, last_ms AS lastMs FROM account_clocks WHERE object = ?1")
      .bind(this.object)
      .first<ClockState>()
      .then((row) => {
        this.state ??= later(row, this.storage.get<ClockState>(CLOCK_KEY) ?? null);
        this.savedSerial = this.state.serial;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /**
   * The next stamp. Saved in the object's storage at once, unless `saveLater`
   * (a group's write, whose D1 batch carries `pendingSave`). A stamp that
   * reached no D1 write may be handed out again after a restart: nothing
   * carries it.
   */
  next(saveLater: boolean): WriteStamp {
    if (!this.state) throw new Error("the write clock is used before it was loaded");
    const clock = this.state;
    const next = { serial: clock.serial + 1, lastMs: Math.max(Date.now(), clock.lastMs + 1) };
    this.state = next;
    if (!saveLater) {
      this.storage.put(CLOCK_KEY, next);
      this.savedSerial = next.serial;
    }
    return { serial: next.serial, time: next.lastMs / 1000 };
  }

  /**
   * The statement saving the clock in D1, for the batch of a group's writes
   * (null when no stamp waits); `saved` once that batch committed.
   */
  pendingSave(db: Db): { statement: Statement; saved: () => void } | null {
    const state = this.state;
    if (!state || state.serial <= this.savedSerial) return null;
    return {
      statement: prepared(db, SAVE_SQL, [this.object, state.serial, state.lastMs]),
      saved: () => {
        this.savedSerial = Math.max(this.savedSerial, state.serial);
      },
    };
  }
}
