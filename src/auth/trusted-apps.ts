/**
 * Trusted apps (TRUSTED_APPS): login and other credential-taking calls are only
 * accepted from an `appId@origin` pair the operator trusts. The origin is the
 * `Origin` header, else the `Referer`, compared by its origin only (a path in a
 * Referer must not help match a pattern); no origin at all compares as "".
 */
import type { Config } from "../config";
import { errors } from "../errors";

export function originOf(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

export function isTrustedApp(config: Config, appId: string, origin: string | null): boolean {
  if (!appId) return false;
  const candidate = origin === null || origin === "" || origin === "null" ? "" : originOf(origin);
  if (candidate === null) return false;
  return config.trustedApps.some((trusted) => trusted.appId.test(appId) && trusted.origin.test(candidate));
}

export function assertTrustedApp(config: Config, appId: string, origin: string | null): void {
  if (!isTrustedApp(config, appId, origin)) {
    throw errors.invalidCredentials('The app id ("appId") is either missing or not trusted.');
  }
}
