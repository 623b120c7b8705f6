/**
 * The account and access of each token, kept by the account's Durable Object
 * between write calls. Every change to accesses or to the account goes
 * through this object, which then clears them all, so they stay exact; a
 * short lifetime bounds what a change made elsewhere (an operator's SQL) could
 * leave behind.
 */
import type { CallerCache } from "../methods/dispatch";

const LIFETIME_MS = 30_000;
const MAX_ENTRIES = 100;

export class CallerCaches {
  private readonly entries = new Map<string, { cache: CallerCache; at: number }>();

  for(token: string | null): CallerCache {
    if (!token) return {};
    const entry = this.entries.get(token);
    if (entry && Date.now() - entry.at < LIFETIME_MS) return entry.cache;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const cache: CallerCache = {};
    this.entries.set(token, { cache, at: Date.now() });
    return cache;
  }

  clear(): void {
    this.entries.clear();
  }
}
