/**
 * accesses.checkApp, the consent screen's helper: does the app already hold
 * an access with exactly the requested permissions (`matchingAccess`)? If
 * not, the existing one (`mismatchingAccess`, if any) and the requested
 * permissions checked against the account (`checkedPermissions`: names of
 * existing streams, free names proposed for streams to create).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { isDeepStrictEqual } from "../shared/deep-equal";
import { accesses } from "../db/schema";
import { errors } from "../errors";
import { defineMethod, PERSONAL_ONLY } from "../methods/method";
import { isStreamPermission, type Permission } from "../permissions/access-logic";
import { nowSeconds } from "../shared/time";
import { checkAppParams, checkAppResult, type PermissionInput } from "./accesses.schema";
import { storedPermissions } from "./accesses.rules";
import { toApiAccess, type AccessRecord } from "./accesses.store";

const key = (p: Permission) => (isStreamPermission(p) ? `s:${p.streamId}:${p.level}` : `f:${p.feature}:${p.setting}`);

function matches(access: AccessRecord, requested: readonly Permission[], clientData: unknown, now: number): boolean {
  if (access.expires !== null && access.expires <= now) return false;
  const stored = (JSON.parse(access.permissions) as Permission[]).map(key).sort();
  const wanted = requested.map(key).sort();
  if (stored.length !== wanted.length || stored.some((k, i) => k !== wanted[i])) return false;
  return isDeepStrictEqual(access.clientData === null ? null : JSON.parse(access.clientData), clientData ?? null);
}

export const checkApp = defineMethod({
  id: "accesses.checkApp",
  result: checkAppResult,
  scope: "account",
  params: checkAppParams,
  permission: PERSONAL_ONLY,
  writes: false,
  handler: async (ctx, p) => {
    const { db, user } = ctx;
    const existing = await db
      .select()
      .from(accesses)
      .where(
        and(
          eq(accesses.userId, user!.id),
          isNull(accesses.deleted),
          eq(accesses.type, "app"),
          eq(accesses.name, p.requestingAppId),
          sql`ifnull(${accesses.deviceName}, '') = ${p.deviceName ?? ""}`,
        ),
      )
      .get();
    if (existing && matches(existing, storedPermissions(p.requestedPermissions), p.clientData, nowSeconds())) {
      return { matchingAccess: toApiAccess(existing) };
    }

    const tree = await ctx.streamTree();
    const rootNames = new Set(tree.children(null).map((s) => s.name));
    let renamed = false;
    const checkedPermissions = p.requestedPermissions.map((permission): PermissionInput => {
      if (!("streamId" in permission) || permission.streamId === "*") {
        const { defaultName: _unused, ...rest } = permission as Record<string, unknown>;
        return rest as PermissionInput;
      }
      const stream = tree.get(permission.streamId);
      if (stream) {
        const { defaultName: _unused, ...rest } = permission;
        return { ...rest, name: stream.name ?? "" };
      }
      if (!permission.defaultName) {
        throw errors.invalidParametersFormat(
          `The permission for stream "${permission.streamId}" (and maybe others) is missing the required "defaultName".`,
        );
      }
      let name = permission.defaultName;
      for (let n = 1; rootNames.has(name); n++) {
        name = `${permission.defaultName} (${n})`;
        renamed = true;
      }
      rootNames.add(name);
      return { ...permission, defaultName: name };
    });
    return {
      ...(existing ? { mismatchingAccess: toApiAccess(existing) } : {}),
      checkedPermissions,
      ...(renamed
        ? {
            error: {
              id: "item-already-exists",
              message:
                'One or more requested streams have the same names as existing streams with different ids. The "defaultName" of the streams concerned have been updated with valid alternative proposals.',
            },
          }
        : {}),
    };
  },
});
