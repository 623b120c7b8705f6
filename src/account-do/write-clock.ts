/**
 * The account's write clock (one per Durable Object): serials and times
 * strictly increasing across the object's lifetimes, so `modifiedSince` sync
 * never misses a write. Only this object writes it: the copy in memory is
 * exact (read once per instance).
 */
import type { WriteStamp } from "./account-writer";

interface ClockState {
  serial: number;
  lastMs: number;
}

const CLOCK_KEY = "clock";

export class WriteClock {
  private state: ClockState | null = null;
  private unsaved = false;

  constructor(private readonly storage: SyncKvStorage) {}

  /**
   * The next stamp. Saved at once, unless `saveLater`: the caller then calls
   * `save` before any write bearing it reaches D1 — a group of writes saves
   * once for all its stamps (one storage write instead of one per call). A
   * stamp that reached no D1 write may be handed out again after a restart:
   * nothing carries it.
   */
  next(saveLater: boolean): WriteStamp {
    const clock = (this.state ??= this.storage.get<ClockState>(CLOCK_KEY) ?? { serial: 0, lastMs: 0 });
    const next = { serial: clock.serial + 1, lastMs: Math.max(Date.now(), clock.lastMs + 1) };
    this.state = next;
    if (saveLater) this.unsaved = true;
    else this.storage.put(CLOCK_KEY, next);
    return { serial: next.serial, time: next.lastMs / 1000 };
  }

  save(): void {
    if (!this.unsaved || !this.state) return;
    this.storage.put(CLOCK_KEY, this.state);
    this.unsaved = false;
  }
}
