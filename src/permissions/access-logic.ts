/**
 * What an access may do on each stream, as the reference's AccessLogic
 * defines it: a stream takes the level of its nearest permission (itself,
 * else the nearest ancestor, else `*`); levels grant capabilities; `none`
 * masks a subtree. Personal accesses may do everything. Pure: the stream
 * tree is given as a parent lookup.
 */
import { isSystemStreamId } from "../account/system-streams";

export type Level = "none" | "read" | "create-only" | "contribute" | "manage";
export const LEVELS: readonly Level[] = ["none", "read", "create-only", "contribute", "manage"];

export interface StreamPermission {
  streamId: string;
  level: Level;
}

export interface FeaturePermission {
  feature: string;
  setting: "allowed" | "forbidden";
}

export type Permission = StreamPermission | FeaturePermission;

export type Capability = "list" | "read" | "create" | "update" | "manage";

const RANK: Record<Level, number> = { none: -1, read: 0, "create-only": 1, contribute: 1, manage: 2 };

const CAPABILITIES: Record<Level, readonly Capability[]> = {
  none: [],
  read: ["list", "read"],
  "create-only": ["list", "create"],
  contribute: ["list", "read", "create", "update"],
  manage: ["list", "read", "create", "update", "manage"],
};

export const AUDIT_PREFIX = ":_audit:";
export const auditStreamOfAccess = (accessId: string) => `${AUDIT_PREFIX}access-${accessId}`;

export function isStreamPermission(p: Permission): p is StreamPermission {
  return "streamId" in p;
}

/** `a` grants at least what `b` grants, in the reference's ranking (create-only ranks as contribute). */
export function atLeast(a: Level, b: Level): boolean {
  return RANK[a] >= RANK[b];
}

export function grants(level: Level | null, capability: Capability): boolean {
  return level !== null && CAPABILITIES[level].includes(capability);
}

export interface AccessLike {
  id: string;
  type: "personal" | "app" | "shared";
  permissions: readonly Permission[];
}

export type ParentOf = (streamId: string) => string | null | undefined;

export class AccessLogic {
  readonly personal: boolean;
  private readonly byStream = new Map<string, Level>();
  private readonly features = new Map<string, string>();

  constructor(
    readonly access: AccessLike,
    private readonly parentOf: ParentOf,
  ) {
    this.personal = access.type === "personal";
    if (!this.personal) {
      // Account data is out of reach unless granted explicitly; an access may read its own trail.
      this.byStream.set(":_system:account", "none");
    }
    for (const p of access.permissions) {
      if (isStreamPermission(p)) this.byStream.set(p.streamId, p.level);
      else this.features.set(p.feature, p.setting);
    }
    if (!this.personal && this.features.get("selfAudit") !== "forbidden") {
      this.byStream.set(auditStreamOfAccess(access.id), "read");
    }
  }

  /** The stream permissions, with the entries the reference adds (`:_system:account` none, own audit stream read). */
  effectivePermissions(): Permission[] {
    if (this.personal) return [...this.access.permissions];
    const streams: Permission[] = [...this.byStream].map(([streamId, level]) => ({ streamId, level }));
    const features: Permission[] = [...this.features].map(([feature, setting]) => ({ feature, setting }) as FeaturePermission);
    return [...streams, ...features];
  }

  /** The level on `streamId`: its own entry, else the nearest ancestor's, else `*` (not for system or audit streams). */
  level(streamId: string): Level | null {
    const path: string[] = [];
    const seen = new Set<string>();
    let current: string | null | undefined = streamId;
    while (current !== null && current !== undefined && !seen.has(current)) {
      path.push(current);
      seen.add(current);
      current = this.parentOf(current);
    }
    return this.levelAlong(path);
  }

  /**
   * The level on the stream `path[0]` placed under `path[1…]` (its ancestors,
   * nearest first) — where the tree does not say, e.g. where a deleted stream
   * was: the first entry along the path, else `*` (not for system or audit streams).
   */
  levelAlong(path: readonly string[]): Level | null {
    if (this.personal) return "manage";
    for (const id of path) {
      const own = this.byStream.get(id);
      if (own) return own;
    }
    const streamId = path[0] ?? "";
    if (isSystemStreamId(streamId) || streamId.startsWith(AUDIT_PREFIX)) return null;
    return this.byStream.get("*") ?? null;
  }

  can(capability: Capability, streamId: string): boolean {
    return grants(this.level(streamId), capability);
  }

  /** Creating a stream under `parentId` (null: a root stream) needs manage there (`*` for roots). */
  canCreateChildOn(parentId: string | null): boolean {
    if (this.personal) return true;
    return grants(parentId === null ? (this.byStream.get("*") ?? null) : this.level(parentId), "manage");
  }

  feature(name: string): string | undefined {
    return this.features.get(name);
  }

  /** The explicit stream permissions (what was granted, without the added entries). */
  grantedStreams(): StreamPermission[] {
    return this.access.permissions.filter(isStreamPermission);
  }
}
