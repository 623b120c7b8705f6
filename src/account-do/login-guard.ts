/** Slows down password guessing: after N failures in a window the account refuses logins for a while. */
import { errors } from "../errors";
import type { LoginGuard } from "./account-writer";

interface GuardState {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

const KEY = "login-guard";

export function createLoginGuard(
  storage: SyncKvStorage,
  settings: { maxFailures: number; lockSeconds: number },
): LoginGuard {
  const windowMs = settings.lockSeconds * 1000;
  const read = (): GuardState => storage.get<GuardState>(KEY) ?? { failures: 0, windowStart: 0, lockedUntil: 0 };
  return {
    assertAllowed() {
      const { lockedUntil } = read();
      const now = Date.now();
      if (lockedUntil > now) {
        const retryAfter = Math.ceil((lockedUntil - now) / 1000);
        throw errors.tooManyRequests(
          retryAfter,
          `Too many failed login attempts for this account; try again in ${retryAfter} seconds.`,
        );
      }
    },
    recordFailure() {
      const now = Date.now();
      const state = read();
      const inWindow = now - state.windowStart < windowMs;
      const failures = inWindow ? state.failures + 1 : 1;
      storage.put<GuardState>(KEY, {
        failures: failures >= settings.maxFailures ? 0 : failures,
        windowStart: inWindow ? state.windowStart : now,
        lockedUntil: failures >= settings.maxFailures ? now + windowMs : state.lockedUntil,
      });
    },
    reset() {
      storage.delete(KEY);
    },
  };
}
