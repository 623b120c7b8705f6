/** Requested permissions and expiry in plain words, for the consent page. */
import type { MessageKey, Translate } from "./i18n";

/** A permission as `accesses.checkApp` answers it (`name` of an existing stream, `defaultName` of one to create). */
export type ShownPermission =
  | { streamId: string; level: string; name?: string; defaultName?: string }
  | { feature: string; setting: string };

export interface PermissionLine {
  /** What the permission is on (a stream's name, "all your data"); absent for features. */
  subject?: string;
  text: string;
}

const LEVELS = new Set(["read", "contribute", "manage", "create-only", "none"]);

export function describePermission(t: Translate, p: ShownPermission, names: ReadonlyMap<string, string>): PermissionLine {
  if ("feature" in p) {
    const key = `consent.feature.${p.feature}.${p.setting}` as MessageKey;
    const known = p.feature === "selfRevoke" || p.feature === "selfAudit";
    return { text: known ? t(key) : t("consent.feature.other", { feature: p.feature, setting: p.setting }) };
  }
  const subject =
    p.streamId === "*"
      ? t("consent.allData")
      : (p.name ?? names.get(p.streamId) ?? (p.defaultName ? t("consent.willBeCreated", { name: p.defaultName }) : p.streamId));
  const text = LEVELS.has(p.level) ? t(`consent.level.${p.level}` as MessageKey) : p.level;
  return { subject, text };
}

/** "3 day(s)", "5 hour(s)", "10 minute(s)": the largest whole unit. */
export function durationWords(t: Translate, seconds: number): string {
  if (seconds >= 86_400) return t("duration.days", { n: Math.round(seconds / 86_400) });
  if (seconds >= 3_600) return t("duration.hours", { n: Math.round(seconds / 3_600) });
  return t("duration.minutes", { n: Math.max(1, Math.round(seconds / 60)) });
}

/** Stream id → name over a `streams.get` tree. */
export function streamNames(streams: readonly { id: string; name?: string; children?: unknown[] }[]): Map<string, string> {
  const names = new Map<string, string>();
  const walk = (list: readonly { id: string; name?: string; children?: unknown[] }[]) => {
    for (const s of list) {
      if (s.name) names.set(s.id, s.name);
      if (Array.isArray(s.children)) walk(s.children as typeof list);
    }
  };
  walk(streams);
  return names;
}
