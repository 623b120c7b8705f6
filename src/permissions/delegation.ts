/**
 * Who may create which access (the reference's canCreateAccess): personal
 * tokens any app or shared access; app tokens shared accesses within their
 * own scope (the FAQ's delegation: a subset of their permissions); shared
 * tokens none.
 *
 * Beyond the reference, the subset is checked below each granted stream too:
 * an app holding `manage` on A but `none` on A/secret cannot hand out `read`
 * on A unless the new access also masks A/secret — otherwise the grant would
 * reach data the app itself cannot see.
 */
import {
  atLeast,
  isStreamPermission,
  type AccessLogic,
  type Level,
  type ParentOf,
  type Permission,
} from "./access-logic";

export type DelegationRefusal =
  | "shared-cannot-create"
  | "app-creates-shared-only"
  | "no-stream-permission"
  | "level-too-high"
  | "below-level-too-high"
  | "feature-not-delegable";

function isWithin(streamId: string, ancestor: string, parentOf: ParentOf): boolean {
  const seen = new Set<string>();
  let current: string | null | undefined = streamId;
  while (current !== null && current !== undefined && !seen.has(current)) {
    if (current === ancestor) return true;
    seen.add(current);
    current = parentOf(current);
  }
  return false;
}

function featureDelegable(creator: AccessLogic, feature: string, setting: string): boolean {
  const own = creator.feature(feature);
  switch (feature) {
    case "selfRevoke":
    case "secretSharing":
      return own !== "forbidden" || setting === own;
    case "selfAudit":
      return own === undefined || setting === own;
    default:
      return false;
  }
}

/** Null when `creator` may create `candidate`; else why not. */
export function delegationRefusal(
  creator: AccessLogic,
  candidate: { type: string; permissions: readonly Permission[] },
  parentOf: ParentOf,
): DelegationRefusal | null {
  if (creator.personal) return null;
  if (creator.access.type === "shared") return "shared-cannot-create";
  if (candidate.type !== "shared") return "app-creates-shared-only";
  const wanted = candidate.permissions.filter(isStreamPermission);
  if (!wanted.length) return "no-stream-permission";
  for (const { streamId, level } of wanted) {
    const mine: Level | null =
      streamId === "*" ? (creator.grantedStreams().find((p) => p.streamId === "*")?.level ?? null) : creator.level(streamId);
    if (!mine || mine === "create-only" || !atLeast(mine, level)) return "level-too-high";
    for (const below of creator.grantedStreams()) {
      if (below.streamId === streamId || below.streamId === "*" || atLeast(below.level, level)) continue;
      const covered = streamId === "*" || isWithin(below.streamId, streamId, parentOf);
      if (!covered) continue;
      const masked = wanted.some((w) => w.streamId === below.streamId && atLeast(below.level, w.level) && below.level !== "create-only");
      if (!masked) return "below-level-too-high";
    }
  }
  for (const p of candidate.permissions) {
    if (!isStreamPermission(p) && !featureDelegable(creator, p.feature, p.setting)) return "feature-not-delegable";
  }
  return null;
}
