/**
 * Streams: the tree events are filed in. No limit on depth or children.
 * Deletion is two-step (trash, then delete, deciding what becomes of the
 * events with `mergeEventsWithParent`); deletions are kept for sync.
 */
import { isSystemStreamId, shownSystemStreams } from "../account/system-streams";
import { SYSTEM_AUTHOR } from "../accesses/accesses.store";
import { errors } from "../errors";
import { assertEventSize, dedupe, scopeDelta, sealed } from "../events/events.rules";
import type { ApiEvent } from "../events/events.schema";
import {
  deleteEventStatements,
  eventsFiledUnder,
  scopeChangeStatements,
  updateEventStatements,
} from "../events/events.store";
import { eventIntegrity } from "../events/integrity";
import { runBatch, type Statement } from "../db/client";
import { ANY_ACCESS, defineMethod, type MethodContext } from "../methods/method";
import { canWhereDeleted, permissionsOf, type Permissions } from "../permissions";
import { assertNoProtectedFields } from "../methods/updates";
import { newId } from "../shared/ids";
import { fileKey } from "../attachments/file-store";
import {
  deleteStreamRows,
  insertStream,
  nestStreams,
  streamDeletionsSince,
  toStream,
  streamMoveStatement,
  updateStreamRow,
  type Stream,
  type StreamRow,
} from "./streams.store";
import { clientStreamId, idFromName } from "./stream-ids";
import { StreamTree } from "./stream-tree";
import {
  STREAM_PROTECTED_FIELDS,
  streamCreateParams,
  streamDeleteParams,
  streamsGetParams,
  streamUpdateParams,
  streamDeleteResult,
  streamResultBody,
  streamsGetResult,
} from "./streams.schema";

// Any token: what each may do is decided per stream by the permission module.
const DATA_ACCESS = ANY_ACCESS;

const forbiddenSystem = () => errors.invalidOperation("It is forbidden to modify system streams.");

function assertNoSiblingNamed(tree: StreamTree<StreamRow>, parentId: string | null, name: string, except?: string) {
  if (tree.children(parentId).some((s) => s.name === name && s.id !== except)) {
    throw errors.itemAlreadyExists("stream", { name });
  }
}

/** The parent a stream may be filed under: existing, ordinary, not trashed. */
function assertUsableParent(tree: StreamTree<StreamRow>, parentId: string | null | undefined, label: string) {
  if (parentId === null || parentId === undefined) return;
  if (isSystemStreamId(parentId)) throw forbiddenSystem();
  const parent = tree.get(parentId);
  if (!parent) throw errors.unknownReferencedResource(label, "parentId", parentId);
  if (parent.trashed) throw errors.invalidOperation("parent stream is trashed", { parentId });
}

/** The stream `id`; 404 when unknown or not even listable by the caller (its existence is not revealed). */
async function liveStream(ctx: MethodContext, id: string): Promise<{ tree: StreamTree<StreamRow>; row: StreamRow }> {
  if (isSystemStreamId(id)) throw forbiddenSystem();
  const { tree, logic } = await permissionsOf(ctx);
  const row = tree.get(id);
  if (!row || !logic.can("list", id)) throw errors.unknownResource("stream", id);
  return { tree, row };
}

/**
 * What a non-personal access sees: the streams it may list, each with the
 * listable part of its subtree; one whose parent it cannot list shows as a root.
 */
function visibleStreams(ctx: MethodContext, perms: Permissions, parentId: string | null, withTrashed: boolean): Stream[] {
  const { logic, tree } = perms;
  const listable = (row: StreamRow) => logic.can("list", row.id);
  if (parentId !== null) return nestStreams(tree, parentId, withTrashed, listable);
  const tops = tree
    .all()
    .filter((row) => listable(row) && (withTrashed || !row.trashed))
    .filter((row) => row.parentId === null || !logic.can("list", row.parentId))
    .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "") || a.id.localeCompare(b.id));
  const streams = tops.map((row) => ({
    ...toStream({ ...row, parentId: null }),
    children: nestStreams(tree, row.id, withTrashed, listable),
  }));
  const system = shownSystemStreams(ctx.user!.created).flatMap(function visible(node): typeof node[] {
    return logic.can("list", node.id) ? [node] : node.children.flatMap(visible).map((child) => ({ ...child, parentId: null }));
  });
  return [...streams, ...system];
}

const get = defineMethod({
  id: "streams.get",
  result: streamsGetResult,
  scope: "account",
  params: streamsGetParams,
  permission: DATA_ACCESS,
  writes: false,
  handler: async (ctx, p) => {
    const { db, user, access } = ctx;
    const personal = access!.type === "personal";
    const perms = personal ? null : await permissionsOf(ctx);
    const tree = perms?.tree ?? (await ctx.streamTree());
    const withTrashed = p.state === "all";
    if (p.parentId !== undefined) {
      const hidden = !tree.has(p.parentId) || (perms !== null && !perms.logic.can("list", p.parentId));
      const trashed = !withTrashed && [p.parentId, ...tree.ancestors(p.parentId)].some((id) => tree.get(id)?.trashed);
      if (hidden || trashed) throw errors.unknownReferencedResource("stream", "parentId", p.parentId);
    }
    const streams = perms
      ? visibleStreams(ctx, perms, p.parentId ?? null, withTrashed)
      : p.parentId !== undefined
        ? nestStreams(tree, p.parentId, withTrashed)
        : [...nestStreams(tree, null, withTrashed), ...shownSystemStreams(user!.created)];
    if (p.includeDeletionsSince === undefined) return { streams };
    // A deletion is told to the accesses that could see the stream where it was: `list`, what
    // streams.get shows a stream to (create-only included) — a client must learn that what it was
    // shown is gone, and learns nothing it was not shown. Places are recorded with the deletion.
    const deletions = await streamDeletionsSince(db, user!.id, p.includeDeletionsSince);
    const told = perms ? deletions.filter((d) => canWhereDeleted(perms.logic, "list", d)) : deletions;
    return { streams, streamDeletions: told.map(({ id, deleted }) => ({ id, deleted })) };
  },
});

const create = defineMethod({
  id: "streams.create",
  result: streamResultBody,
  scope: "account",
  params: streamCreateParams,
  permission: DATA_ACCESS,
  writes: true,
  status: 201,
  handler: async (ctx, p) => {
    const { db, user, access, writer } = ctx;
    const { tree, logic } = await permissionsOf(ctx);
    const parentId = p.parentId ?? null;
    if (!logic.canCreateChildOn(parentId)) throw errors.forbidden();
    assertUsableParent(tree, parentId, "stream");
    assertNoSiblingNamed(tree, parentId, p.name);
    let id: string;
    if (p.id !== undefined) {
      id = clientStreamId(p.id);
      if (tree.has(id)) throw errors.itemAlreadyExists("stream", { id });
    } else {
      id = idFromName(p.name, (candidate) => tree.has(candidate)) ?? newId();
    }
    if (p.clientData) assertEventSize({ clientData: p.clientData });

    writer!.streamsChanged();
    const stamp = await writer!.stamp();
    const by = access?.id ?? SYSTEM_AUTHOR;
    const stream = { id, name: p.name, parentId, clientData: p.clientData ?? null, trashed: p.trashed === true };
    const [removeRecord, insert] = insertStream(db, user!.id, stream, stamp, by);
    await runBatch(db, [removeRecord, insert]);
    return {
      stream: toStream({
        ...stream,
        userId: user!.id,
        clientData: stream.clientData === null ? null : JSON.stringify(stream.clientData),
        created: stamp.time,
        createdBy: by,
        modified: stamp.time,
        modifiedBy: by,
        serial: stamp.serial,
        deleted: null,
        formerAncestors: null,
      }),
    };
  },
});

const update = defineMethod({
  id: "streams.update",
  result: streamResultBody,
  scope: "account",
  params: streamUpdateParams,
  permission: DATA_ACCESS,
  writes: true,
  handler: async (ctx, { id, update: changes }) => {
    assertNoProtectedFields(changes, STREAM_PROTECTED_FIELDS);
    if (changes.parentId === id) {
      throw errors.invalidOperation('The provided "parentId" is the same as the stream\'s "id".', changes);
    }
    const { db, user, access, writer } = ctx;
    const { tree, row } = await liveStream(ctx, id);
    const { logic } = await permissionsOf(ctx);
    const moving = changes.parentId !== undefined && changes.parentId !== row.parentId;
    const parentId = changes.parentId === undefined ? row.parentId : changes.parentId;
    if (!logic.can("manage", id) || (moving && !logic.canCreateChildOn(parentId))) throw errors.forbidden();
    if (moving) {
      assertUsableParent(tree, parentId, "parent stream");
      if (parentId !== null && tree.isWithin(parentId, id)) {
        throw errors.invalidOperation("A stream cannot be moved under itself or one of its descendants.", { parentId });
      }
    }
    const name = changes.name ?? row.name ?? "";
    if (moving || changes.name !== undefined) assertNoSiblingNamed(tree, parentId, name, id);
    if (changes.clientData) assertEventSize({ clientData: changes.clientData });

    writer!.streamsChanged();
    const stamp = await writer!.stamp();
    const by = access?.id ?? SYSTEM_AUTHOR;
    const fields: Pick<StreamRow, "name" | "parentId" | "clientData" | "trashed"> = {
      name,
      parentId,
      clientData:
        changes.clientData === undefined ? row.clientData : changes.clientData === null ? null : JSON.stringify(changes.clientData),
      trashed: changes.trashed ?? row.trashed,
    };
    const statements: Statement[] = [updateStreamRow(db, user!.id, id, fields, stamp, by)];
    if (moving) {
      statements.push(streamMoveStatement(db, user!.id, id, row.parentId, stamp.time));
      statements.push(...(await movedScopeChanges(ctx, tree, id, parentId, stamp.time)));
    }
    await runBatch(db, statements);
    return { stream: toStream({ ...row, ...fields, modified: stamp.time, modifiedBy: by, serial: stamp.serial }) };
  },
});

/**
 * A moved stream takes its events out of the scope of its old ancestors and
 * into the scope of its new ones: recorded so syncs of those scopes see it.
 */
async function movedScopeChanges(ctx: MethodContext, tree: StreamTree<StreamRow>, id: string, newParent: string | null, time: number) {
  const before = new Set(tree.ancestors(id));
  const after = new Set(newParent === null ? [] : [newParent, ...tree.ancestors(newParent)]);
  const changed = [...[...before].filter((s) => !after.has(s)), ...[...after].filter((s) => !before.has(s))];
  if (!changed.length) return [];
  const events = await eventsFiledUnder(ctx.db, ctx.user!.id, tree.subtree(id));
  return events.flatMap((event) => scopeChangeStatements(ctx.db, ctx.user!.id, event.id, changed, time));
}

const del = defineMethod({
  id: "streams.delete",
  result: streamDeleteResult,
  scope: "account",
  params: streamDeleteParams,
  permission: DATA_ACCESS,
  writes: true,
  handler: async (ctx, { id, mergeEventsWithParent }) => {
    const { db, user, access, writer } = ctx;
    const { tree, row } = await liveStream(ctx, id);
    if (!(await permissionsOf(ctx)).logic.can("manage", id)) throw errors.forbidden();
    const by = access?.id ?? SYSTEM_AUTHOR;
    writer!.streamsChanged();
    if (!row.trashed) {
      const stamp = await writer!.stamp();
      await updateStreamRow(db, user!.id, id, { trashed: true }, stamp, by);
      return { stream: toStream({ ...row, trashed: true, modified: stamp.time, modifiedBy: by }) };
    }

    if (mergeEventsWithParent === true && row.parentId === null) {
      throw errors.invalidOperation(
        "Deleting a root stream with mergeEventsWithParent=true is rejected since there is no parent stream to merge linked events in.",
        { streamId: id },
      );
    }
    const doomed = tree.subtree(id);
    const linked = await eventsFiledUnder(db, user!.id, doomed);
    if (mergeEventsWithParent === undefined && linked.some((e) => !e.trashed)) {
      throw errors.invalidParametersFormat(
        "There are events referring to the deleted items and the `mergeEventsWithParent` parameter is missing.",
      );
    }
    const stamp = await writer!.stamp();
    const statements: Statement[] = [deleteStreamRows(db, user!.id, tree, doomed, stamp)];
    const updatedEvents: { id: string; action: string }[] = [];
    for (const before of linked) {
      const remaining = before.streamIds.filter((s) => !doomed.includes(s));
      // Trashed events in a stream deleted without instruction go with it (they were on their way out).
      const merge = mergeEventsWithParent === true;
      if (merge) remaining.push(row.parentId!);
      const streamIds = dedupe(remaining);
      if (!streamIds.length) {
        const deletion = { id: before.id, deleted: stamp.time };
        const record = { ...deletion, integrity: await eventIntegrity(deletion) };
        statements.push(...deleteEventStatements(db, user!.id, record, before.streamIds, stamp.serial));
        updatedEvents.push({ id: before.id, action: "deleted" });
        continue;
      }
      const after: ApiEvent = await sealed({ ...before, streamIds, modified: stamp.time, modifiedBy: by });
      statements.push(...updateEventStatements(db, user!.id, before, after, stamp.serial));
      statements.push(...scopeChangeStatements(db, user!.id, before.id, scopeDelta(tree, before.streamIds, streamIds), stamp.time));
      updatedEvents.push({ id: before.id, action: merge ? "mergedToParent" : "updatedStreamIds" });
    }
    await runBatch(db, statements);
    const removed = linked.filter((e) => updatedEvents.some((u) => u.id === e.id && u.action === "deleted"));
    writer!.files.discard(removed.flatMap((e) => (e.attachments ?? []).map((a) => fileKey(user!.id, a.id))));
    return { updatedEvents, streamDeletion: { id, deleted: stamp.time } };
  },
});

export const streamsMethods = [get, create, update, del];
