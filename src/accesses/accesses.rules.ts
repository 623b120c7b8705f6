/** Rules shared by accesses.create and accesses.update. */
import { and, eq, isNull, sql } from "drizzle-orm";
import { getSystemStream, isSystemStreamId } from "../account/system-streams";
import type { Db } from "../db/client";
import { accesses } from "../db/schema";
import { errors } from "../errors";
import { delegationRefusal } from "../permissions/delegation";
import { AccessLogic, isStreamPermission, type ParentOf, type Permission } from "../permissions/access-logic";
import type { AccessRecord } from "./accesses.store";
import type { PermissionInput } from "./accesses.schema";

/** What is stored: `defaultName` and `name` only serve stream creation and consent screens. */
export function storedPermissions(input: readonly PermissionInput[]): Permission[] {
  return input.map((p) => ("streamId" in p ? { streamId: p.streamId, level: p.level } : p) as Permission);
}

/**
 * Permissions on the account's system streams: hidden ones cannot be
 * granted, visible ones up to `contribute`, unknown system ids not at all.
 * The cap holds for `:_system:account` itself too (it once did not: `manage`
 * there reached every account field below it). As in the reference, the
 * answer is `invalid-operation` 400 whose message is the one of its
 * `too-high-access-for-account-stream` error id (an id the reference keeps for
 * the message, never sent), with `data: {param: streamId}`.
 */
export function assertSystemStreamPermissions(permissions: readonly Permission[]): void {
  for (const p of permissions.filter(isStreamPermission)) {
    if (!isSystemStreamId(p.streamId)) continue;
    const stream = getSystemStream(p.streamId);
    if (!stream) throw errors.forbidden("Forbidden");
    if (!stream.shown) throw errors.invalidOperation("It is forbidden to access this stream.", { param: p.streamId });
    if (p.level === "manage") {
      throw errors.invalidOperation("Only read, create-only and contribute accesses are allowed for system streams", {
        param: p.streamId,
      });
    }
  }
}

export function expiresFrom(expireAfter: number | undefined, now: number): number | undefined {
  if (expireAfter === undefined) return undefined;
  if (expireAfter < 0) throw errors.invalidParametersFormat("expireAfter cannot be negative.");
  return now + expireAfter;
}

/** An access created or managed by an expiring one cannot outlive it. */
export function assertWithinExpiry(manager: AccessRecord, expires: number | undefined): void {
  if (manager.expires !== null && expires !== undefined && expires > manager.expires) {
    throw errors.invalidOperation("New access cannot expire later than the managing access.", {
      parentExpires: manager.expires,
      requestedExpires: expires,
    });
  }
}

export function logicOf(access: AccessRecord, parentOf: ParentOf): AccessLogic {
  return new AccessLogic({ id: access.id, type: access.type, permissions: JSON.parse(access.permissions) as Permission[] }, parentOf);
}

/** `forbidden` unless `manager` may create (or keep managing) an access with these permissions. */
export function assertDelegable(
  manager: AccessLogic,
  candidate: { type: string; permissions: readonly Permission[] },
  parentOf: ParentOf,
  message = "Your access token has insufficient permissions to create this new access.",
): void {
  if (delegationRefusal(manager, candidate, parentOf)) throw errors.forbidden(message);
}

/** The 409 for a name (type, name, device) or token another live access holds. */
export async function duplicateAccessError(
  db: Db,
  userId: number,
  candidate: { type: string; name: string; deviceName: string | null; token?: string },
  exceptId?: string,
) {
  const live = and(eq(accesses.userId, userId), isNull(accesses.deleted));
  if (candidate.token) {
    const sameToken = await db.select({ id: accesses.id }).from(accesses).where(and(live, eq(accesses.token, candidate.token))).get();
    if (sameToken && sameToken.id !== exceptId) return errors.itemAlreadyExists("access", { token: "(hidden)" });
  }
  const sameName = await db
    .select({ id: accesses.id })
    .from(accesses)
    .where(
      and(
        live,
        eq(accesses.type, candidate.type as AccessRecord["type"]),
        eq(accesses.name, candidate.name),
        sql`ifnull(${accesses.deviceName}, '') = ${candidate.deviceName ?? ""}`,
      ),
    )
    .get();
  if (sameName && sameName.id !== exceptId) {
    return errors.itemAlreadyExists("access", { type: candidate.type, name: candidate.name, deviceName: candidate.deviceName });
  }
  return null;
}
