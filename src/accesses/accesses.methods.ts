/**
 * Accesses: the tokens a person grants. Personal tokens manage them all; app
 * tokens manage the shared accesses they created (delegation, within their
 * own scope); shared tokens may only revoke themselves.
 */
import { isSystemStreamId } from "../account/system-streams";
import { isUniqueViolation } from "../account/account.store";
import { deleteWebhooksOfAccesses } from "../webhooks/webhooks.store";
import type { WriteStamp } from "../account-do/account-writer";
import { runBatch, type Statement } from "../db/client";
import { errors } from "../errors";
import { ANY_ACCESS, defineMethod, type MethodContext, type MethodPermission } from "../methods/method";
import { permissionsOf } from "../permissions";
import { recentNewOrigins } from "../audit/audit.store";
import type { ParentOf, Permission } from "../permissions/access-logic";
import { apiEndpoint } from "../service/service-info";
import { newId, newToken } from "../shared/ids";
import { clientSlug, RESERVED_IDS } from "../shared/slug";
import { nowSeconds } from "../shared/time";
import { insertStream, updateStreamRow } from "../streams/streams.store";
import {
  accessCreateParams,
  accessDeleteParams,
  accessesGetParams,
  accessGetOneParams,
  accessUpdateParams,
  accessDeleteResult,
  accessInfoResult,
  accessResultBody,
  accessesGetResult,
  type PermissionInput,
} from "./accesses.schema";
import {
  assertDelegable,
  assertSystemStreamPermissions,
  assertWithinExpiry,
  duplicateAccessError,
  expiresFrom,
  logicOf,
  storedPermissions,
} from "./accesses.rules";
import {
  findAccessById,
  insertAccess,
  listAccesses,
  markAccessesDeleted,
  toApiAccess,
  updateAccessRow,
  type AccessRecord,
} from "./accesses.store";

/** How far back access-info lists first uses from new countries or networks. */
const NEW_ORIGINS_WINDOW = 30 * 24 * 3600;
const NOT_SHARED: MethodPermission = { kind: "access", types: ["personal", "app"] };
/** Stream ids a personal token's accesses.create may create (as the reference). */
const CREATABLE_STREAM_ID = /^[a-z0-9-]{1,100}$/;

const withEndpoint = (ctx: MethodContext, row: AccessRecord) =>
  toApiAccess(row, { apiEndpoint: apiEndpoint(ctx.config, ctx.user!.username, row.token) });

/** Accesses the caller manages: all for a personal token, those it created for an app token. */
const managedBy = (access: AccessRecord) => (access.type === "personal" ? undefined : access.id);

/**
 * A personal token granting permissions on streams that do not exist yet
 * creates them (root streams named `defaultName`); trashed ones are restored.
 */
async function streamsToCreate(ctx: MethodContext, permissions: readonly PermissionInput[], stamp: WriteStamp): Promise<Statement[]> {
  const { db, user, access } = ctx;
  const { tree } = await permissionsOf(ctx);
  const statements: Statement[] = [];
  for (const p of permissions) {
    if (!("streamId" in p) || !p.defaultName || p.streamId === "*" || isSystemStreamId(p.streamId)) continue;
    const existing = tree.get(p.streamId);
    if (existing?.trashed) {
      statements.push(updateStreamRow(db, user!.id, p.streamId, { trashed: false }, stamp, access!.id));
    } else if (!existing) {
      if (!CREATABLE_STREAM_ID.test(p.streamId)) {
        throw errors.invalidRequestStructure(
          `Error while creating stream for access. Invalid 'permission' parameter, forbidden character(s) in streamId '${p.streamId}'. StreamId should be of length 1 to 100 chars, with lowercase letters, numbers or dashes.`,
        );
      }
      if (tree.children(null).some((s) => s.name === p.defaultName)) throw errors.itemAlreadyExists("stream", { name: p.defaultName });
      const stream = { id: p.streamId, name: p.defaultName, parentId: null, clientData: null, trashed: false };
      statements.push(...insertStream(db, user!.id, stream, stamp, access!.id));
    }
  }
  if (statements.length) ctx.writer!.streamsChanged();
  return statements;
}

const create = defineMethod({
  id: "accesses.create",
  result: accessResultBody,
  scope: "account",
  params: accessCreateParams,
  permission: NOT_SHARED,
  writes: true,
  status: 201,
  handler: async (ctx, p) => {
    const { db, user, access, writer } = ctx;
    if (p.type === "personal") throw errors.forbidden("Personal accesses are created automatically on login.");
    const permissions = storedPermissions(p.permissions ?? []);
    const { logic, parentOf } = await permissionsOf(ctx);
    assertDelegable(logic, { type: p.type, permissions }, parentOf);
    assertSystemStreamPermissions(permissions);
    let token = newToken();
    if (p.token !== undefined) {
      token = clientSlug(p.token);
      if (RESERVED_IDS.has(token)) throw errors.invalidItemId("The specified token is not allowed.");
    }
    const stamp = await writer!.stamp();
    // Beyond the reference: what an expiring access creates expires with it at the latest.
    const expires = expiresFrom(p.expireAfter, stamp.time) ?? access!.expires ?? undefined;
    assertWithinExpiry(access!, expires);

    const row: Omit<AccessRecord, "userId"> = {
      id: newId(),
      token,
      type: p.type,
      name: p.name,
      deviceName: p.type === "app" ? (p.deviceName ?? null) : null,
      permissions: JSON.stringify(permissions),
      clientData: p.clientData ? JSON.stringify(p.clientData) : null,
      expires: expires ?? null,
      sessionExpires: null,
      lastUsed: null,
      calls: "{}",
      created: stamp.time,
      createdBy: access!.id,
      modified: stamp.time,
      modifiedBy: access!.id,
      deleted: null,
    };
    const streams = access!.type === "personal" ? await streamsToCreate(ctx, p.permissions ?? [], stamp) : [];
    try {
      await runBatch(db, [...streams, insertAccess(db, user!.id, row)]);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      throw (await duplicateAccessError(db, user!.id, { ...row, token })) ?? err;
    }
    return { access: withEndpoint(ctx, { ...row, userId: user!.id }) };
  },
});

const get = defineMethod({
  id: "accesses.get",
  result: accessesGetResult,
  scope: "account",
  params: accessesGetParams,
  permission: NOT_SHARED,
  writes: false,
  handler: async (ctx, p) => {
    const { db, user, access } = ctx;
    // lastUsed and calls as last written by the account's DO (as access-info): a call shows
    // there within about a second (usage.ts); flushing here cost each listing a DO call and D1 writes.
    const now = nowSeconds();
    const options = { createdBy: managedBy(access!), includeExpired: p.includeExpired === true, now };
    const rows = await listAccesses(db, user!.id, { ...options, deleted: false });
    const result: Record<string, unknown> = { accesses: rows.map((row) => withEndpoint(ctx, row)) };
    if (p.includeDeletions) {
      result.accessDeletions = (await listAccesses(db, user!.id, { ...options, deleted: true })).map((row) => toApiAccess(row));
    }
    return result;
  },
});

/** A live access the caller may see (an app sees itself and what it created); 404 otherwise, revealing nothing. */
async function visibleAccess(ctx: MethodContext, id: string): Promise<AccessRecord> {
  const target = await findAccessById(ctx.db, ctx.user!.id, id);
  const caller = ctx.access!;
  const visible = target && (caller.type === "personal" || target.id === caller.id || target.createdBy === caller.id);
  if (!visible) throw errors.unknownResource("access", id);
  return target;
}

const getOne = defineMethod({
  id: "accesses.getOne",
  result: accessResultBody,
  scope: "account",
  params: accessGetOneParams,
  permission: NOT_SHARED,
  writes: false,
  handler: async (ctx, { id }) => ({ access: withEndpoint(ctx, await visibleAccess(ctx, id)) }),
});

const update = defineMethod({
  id: "accesses.update",
  result: accessResultBody,
  scope: "account",
  params: accessUpdateParams,
  permission: NOT_SHARED,
  writes: true,
  handler: async (ctx, { id, update: changes }) => {
    const { db, user, access, writer } = ctx;
    const target = await visibleAccess(ctx, id);
    const caller = access!;
    const allowed =
      target.id !== caller.id &&
      target.type !== "personal" &&
      (caller.type === "personal" || (target.type === "shared" && target.createdBy === caller.id));
    if (!allowed) throw errors.forbidden("Your access token has insufficient permissions to update this access.");
    if (changes.deviceName !== undefined && target.type === "shared") {
      throw errors.invalidParametersFormat("Shared accesses have no deviceName.");
    }
    const { parentOf } = await permissionsOf(ctx);
    const stamp = await writer!.stamp();
    const permissions = changes.permissions ? storedPermissions(changes.permissions) : (JSON.parse(target.permissions) as Permission[]);
    const expires =
      changes.expires === null ? null : (expiresFrom(changes.expireAfter, stamp.time) ?? target.expires);

    if (changes.permissions) {
      assertSystemStreamPermissions(permissions);
      // A shared access stays within the scope of the app that manages it…
      const manager = target.type === "shared" ? await findAccessById(db, user!.id, target.createdBy) : null;
      if (manager && manager.type === "app") {
        if (delegates(manager, permissions, parentOf) === false) {
          throw errors.invalidOperation("new permissions exceed managing access scope", { managingAccessId: manager.id });
        }
      }
      // …and an app cannot be narrowed below the shared accesses it manages.
      if (target.type === "app") {
        const narrowed = { ...target, permissions: JSON.stringify(permissions) };
        const children = await listAccesses(db, user!.id, { createdBy: target.id, includeExpired: false, deleted: false, now: stamp.time });
        const offending = children.filter((child) => !delegates(narrowed, JSON.parse(child.permissions) as Permission[], parentOf));
        if (offending.length) {
          throw errors.invalidOperation("cannot narrow access: would orphan managed shared accesses", {
            offendingChildren: offending.map((c) => c.id),
          });
        }
      }
    }
    if (target.type === "shared" && caller.type === "app") assertWithinExpiry(caller, expires ?? undefined);

    const updated: AccessRecord = {
      ...target,
      name: changes.name ?? target.name,
      deviceName: changes.deviceName === undefined ? target.deviceName : changes.deviceName,
      permissions: JSON.stringify(permissions),
      clientData: changes.clientData === undefined ? target.clientData : changes.clientData && JSON.stringify(changes.clientData),
      expires,
      modified: stamp.time,
      modifiedBy: caller.id,
    };
    const duplicate = await duplicateAccessError(db, user!.id, updated, target.id);
    if (duplicate) throw duplicate;
    await runBatch(db, [updateAccessRow(db, user!.id, updated)]);
    return { access: withEndpoint(ctx, updated) };
  },
});

function delegates(manager: AccessRecord, permissions: readonly Permission[], parentOf: ParentOf) {
  try {
    assertDelegable(logicOf(manager, parentOf), { type: "shared", permissions }, parentOf);
    return true;
  } catch {
    return false;
  }
}

const del = defineMethod({
  id: "accesses.delete",
  result: accessDeleteResult,
  scope: "account",
  params: accessDeleteParams,
  permission: ANY_ACCESS,
  writes: true,
  handler: async (ctx, { id }) => {
    const { db, user, access, writer } = ctx;
    const target = await findAccessById(db, user!.id, id);
    if (!target) throw errors.unknownResource("access", id);
    const caller = access!;
    const selfRevoke = target.id === caller.id && logicOf(caller, () => null).feature("selfRevoke") !== "forbidden";
    const allowed = caller.type === "personal" || selfRevoke || (caller.type === "app" && target.createdBy === caller.id);
    if (!allowed) throw errors.forbidden("Your access token has insufficient permissions to delete this access.");
    const stamp = await writer!.stamp();
    // Revoking an app or shared access revokes what it delegated (live accesses it created).
    const related =
      target.type === "personal"
        ? []
        : await listAccesses(db, user!.id, { createdBy: target.id, includeExpired: false, deleted: false, now: stamp.time });
    const gone = [target.id, ...related.map((r) => r.id)];
    // Their webhooks go with them (accesses are kept as deletion records; webhooks are not).
    await runBatch(db, [markAccessesDeleted(db, user!.id, gone, stamp.time), deleteWebhooksOfAccesses(db, user!.id, gone)]);
    const deletion = (a: AccessRecord) => ({ id: a.id, deleted: stamp.time });
    return related.length
      ? { accessDeletion: deletion(target), relatedDeletions: related.map(deletion) }
      : { accessDeletion: deletion(target) };
  },
});

const info = defineMethod({
  id: "getAccessInfo",
  result: accessInfoResult,
  scope: "account",
  params: accessGetOneParams.partial().loose(),
  permission: ANY_ACCESS,
  writes: false,
  handler: async (ctx) => {
    const { logic } = await permissionsOf(ctx);
    // Its usage counters as stored now: the caller state a read runs on may be older (they do not move its revision).
    const access = toApiAccess((await findAccessById(ctx.db, ctx.user!.id, ctx.access!.id)) ?? ctx.access!, { calls: true });
    const info: Record<string, unknown> = { ...access, permissions: logic.effectivePermissions(), user: { username: ctx.user!.username } };
    // Beyond Pryv: the person sees at a glance where tokens were first used from, lately.
    if (ctx.access!.type === "personal") info.newOrigins = await recentNewOrigins(ctx.db, ctx.user!.id, nowSeconds() - NEW_ORIGINS_WINDOW);
    return info;
  },
});

export const accessesMethods = [create, get, getOne, update, del, info];
