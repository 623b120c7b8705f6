/**
 * Trusted apps (TRUSTED_APPS): login and other credential-taking calls are only
 * accepted from an `appId@origin` pair the operator trusts. The origin is the
 * `Origin` header, else the `Referer`; a URL with a path (what the pryv library
 * sends from Node) is also compared by its origin.
 */
import type { Config } from "../config";
import { errors } from "../errors";

function originOf(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

export function isTrustedApp(config: Config, appId: string, origin: string | null): boolean {
  if (!appId) return false;
  const raw = origin ?? "";
  const candidates = [raw, originOf(raw)].filter((c): c is string => c !== null);
  return config.trustedApps.some(
    (trusted) => trusted.appId.test(appId) && candidates.some((candidate) => trusted.origin.test(candidate)),
  );
}

export function assertTrustedApp(config: Config, appId: string, origin: string | null): void {
  if (!isTrustedApp(config, appId, origin)) {
    throw errors.invalidCredentials('The app id ("appId") is either missing or not trusted.');
  }
}
