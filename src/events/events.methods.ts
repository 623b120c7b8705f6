/**
 * Events: timestamped data filed in one or more streams. Writes run in the
 * account's Durable Object (ordered, each with its own stamp); reads stream
 * straight from D1.
 */
import { applyAccountChanges } from "../account/account-changes";
import { isUniqueViolation } from "../account/account.store";
import { ACCOUNT_STREAM_ID, getSystemStream, HIDDEN_SYSTEM_STREAM_IDS, systemSubtree } from "../account/system-streams";
import { SYSTEM_AUTHOR } from "../accesses/accesses.store";
import { runBatch, type Statement } from "../db/client";
import { errors } from "../errors";
import { ANY_ACCESS, defineMethod, type MethodContext } from "../methods/method";
import {
  assertCanOnAll,
  assertCanOnSome,
  permissionsOf,
  readableStreams,
  readableStreamsWithDeleted,
} from "../permissions";
import { streamDeletionsOf, streamDeletionsSince } from "../streams/streams.store";
import { StreamedResult } from "../methods/streamed";
import { assertNoProtectedFields } from "../methods/updates";
import { newId } from "../shared/ids";
import { nowSeconds } from "../shared/time";
import {
  eventCreateParams,
  eventDeleteParams,
  eventGetOneParams,
  eventsGetParams,
  eventUpdateParams,
  EVENT_PROTECTED_FIELDS,
  eventDeleteResult,
  eventGetOneResult,
  eventResultBody,
  eventsGetResult,
  type ApiEvent,
  type EventsGetParams,
  type EventUpdateParams,
} from "./events.schema";
import {
  deleteEventStatements,
  eventHistoryOf,
  findEventRow,
  newEvent,
  raiseMaxEventDuration,
  scopeChangeStatements,
  toApiEvent,
  toDeletion,
  updateEventStatements,
} from "./events.store";
import { queryDeletions, queryEvents, resolveScope, type Scope, type Visibility } from "./events.query";
import { scopeExits } from "./scope-exits";
import {
  assertContentValid,
  assertEventSize,
  assertStreamsUsable,
  dedupe,
  isAccountEvent,
  mergeClientData,
  scopeDelta,
  sealed,
} from "./events.rules";
import { eventIntegrity } from "./integrity";
import { attachmentOf } from "../attachments/attachments.methods";
import { fileKey } from "../attachments/file-store";
import { withReadTokens } from "../attachments/read-tokens";
import { parseStreamsQuery, type StreamsQuery } from "./streams-query";
import { Page, type PageEvent } from "./page-row";
import { assertAuditReadable, isAuditQuery, queryAudit } from "../audit/audit.query";
import { accountStub } from "../account-do/stub";

// Any token: what each may do is decided per stream by the permission module.
const DATA_ACCESS = ANY_ACCESS;

/** Each attachment with the caller's read token. */
const tokened = (ctx: MethodContext, event: ApiEvent) => withReadTokens(event, ctx.user!.filesSecret, ctx.access!.id);

/**
 * `source`'s items, each mapped by `map` to those sent in its place, its first item pulled now so that
 * errors surface before a 200 is sent; the rest stays lazy. One generator for both: each layer of them
 * costs every item a few awaits.
 */
async function primedMap<T, U>(source: AsyncGenerator<T>, map: (item: T) => Promise<U[]> | U[]): Promise<AsyncGenerator<U>> {
  const first = await source.next();
  return (async function* () {
    if (first.done) return;
    yield* await map(first.value);
    for await (const item of source) yield* await map(item);
  })();
}

/** A page or an event as sent: as read, but for events with attachments, which get the caller's read tokens. */
async function sendable(ctx: MethodContext, item: Page | PageEvent): Promise<(Page | PageEvent | ApiEvent)[]> {
  if (!item.attached) return [item];
  const events = item instanceof Page ? item.events() : [item];
  return Promise.all(events.map((e) => (e.attached ? tokened(ctx, e.value()) : e)));
}

/** The trail of use, read as events (see audit/audit.query.ts); pending entries are written first. */
async function auditEvents(ctx: MethodContext, queries: StreamsQuery[], p: EventsGetParams) {
  if (ctx.access!.type !== "personal") assertAuditReadable((await permissionsOf(ctx)).logic, queries);
  await accountStub(ctx.env, ctx.user!.username).flushUsage();
  const parts: [string, AsyncIterable<unknown>][] = [["events", queryAudit(ctx.db, ctx.user!, queries, p)]];
  if (p.includeDeletions) parts.push(["eventDeletions", (async function* () {})()]);
  return new StreamedResult(parts);
}

/** For a non-personal caller: the streams it may list, and those it may read events of. */
async function visibilityOf(ctx: MethodContext): Promise<Visibility | null> {
  if (ctx.access!.type === "personal") return null;
  const perms = await permissionsOf(ctx);
  return { listable: (id) => perms.logic.can("list", id), readable: readableStreams(perms) };
}

/**
 * For a non-personal caller: the streams through which it may learn of
 * event deletions since `since` — an event deletion record keeps the streams
 * the event was in, and is told to who could read the event through one of
 * them (see the permission module). Only streams deleted since then matter:
 * a stream's events are deleted (or refiled) when it is, so an event is never
 * deleted after one of its streams.
 */
async function deletionVisibilityOf(ctx: MethodContext, since: number): Promise<string[] | null> {
  if (ctx.access!.type === "personal") return null;
  return readableStreamsWithDeleted(await permissionsOf(ctx), await streamDeletionsSince(ctx.db, ctx.user!.id, since));
}

/**
 * "May the caller read an event filed under these streams?", for past
 * versions and deletion records, which may name deleted streams: the rule of
 * events.get, deleted streams judged where they were. `mentioned`: every
 * stream id the test will be asked about.
 */
async function readableTest(ctx: MethodContext, mentioned: readonly string[]): Promise<(streamIds: readonly string[]) => boolean> {
  if (ctx.access!.type === "personal") return () => true;
  const deleted = await streamDeletionsOf(ctx.db, ctx.user!.id, [...new Set(mentioned)]);
  const readable = new Set(readableStreamsWithDeleted(await permissionsOf(ctx), deleted));
  return (streamIds) => streamIds.some((id) => readable.has(id));
}

/** A live event of the account, or 404; the account's hidden field events are never reachable. */
async function liveEvent(ctx: MethodContext, id: string): Promise<ApiEvent> {
  const row = await findEventRow(ctx.db, ctx.user!.id, id);
  if (!row || row.deleted !== null || HIDDEN_SYSTEM_STREAM_IDS.includes(id)) throw errors.unknownResource("event", id);
  return toApiEvent(row);
}

/** Writes a new version of `before`; records scope changes when its streams change. */
async function writeNewVersion(ctx: MethodContext, before: ApiEvent, after: ApiEvent, serial: number) {
  const { db, user, writer } = ctx;
  const statements: Statement[] = updateEventStatements(db, user!.id, before, after, serial);
  if (JSON.stringify(before.streamIds) !== JSON.stringify(after.streamIds)) {
    const tree = await writer!.streamTree(user!.id);
    statements.push(...scopeChangeStatements(db, user!.id, after.id, scopeDelta(tree, before.streamIds, after.streamIds), after.modified));
  }
  if (after.duration && after.duration > user!.maxEventDuration) statements.push(raiseMaxEventDuration(db, user!.id, after.duration));
  // Through the writer: inside a group (events.update) it commits with the group's other writes.
  await writer!.commit({ userId: user!.id, statements });
}

const ALL_SYSTEM_STREAM_IDS = systemSubtree(ACCOUNT_STREAM_ID, true);

/**
 * As the reference: a query over every stream (no `streams`, or `*`) with a
 * time range holds the person's own events only — the reference dates the
 * account's field events at the moment of reading, so no range holds them —
 * while without a time range the field events are in. Streams named
 * explicitly (`:_system:account`) keep them.
 */
function withoutSystemEventsInRange(scope: Scope, p: EventsGetParams): Scope {
  if (p.fromTime === undefined && p.toTime === undefined) return scope;
  return {
    ...scope,
    clauses: scope.clauses.map((c) => (c.any === null ? { ...c, not: [...new Set([...c.not, ...ALL_SYSTEM_STREAM_IDS])] } : c)),
  };
}

const get = defineMethod({
  id: "events.get",
  result: eventsGetResult,
  scope: "account",
  params: eventsGetParams,
  permission: DATA_ACCESS,
  writes: false,
  handler: async (ctx, p) => {
    const { db, user } = ctx;
    const queries = parseStreamsQuery(p.streams);
    if (isAuditQuery(queries)) {
      // The trail is read from its own table, which content conditions cannot filter: refused, as the reference refuses them on stores that cannot.
      if (p.content?.length || p.clientData?.length) throw errors.invalidOperation("Content conditions are not supported on audit streams.");
      return auditEvents(ctx, queries, p);
    }
    const scope = withoutSystemEventsInRange(resolveScope(await ctx.streamTree(), queries, p.state, await visibilityOf(ctx)), p);
    const events = await primedMap(await queryEvents(db, user!, p, scope, nowSeconds()), (item) => sendable(ctx, item));
    const parts: [string, AsyncIterable<unknown>][] = [["events", events]];
    // The pryv client's streaming parser expects the array whenever deletions are asked for.
    if (p.includeDeletions) {
      const told = p.modifiedSince === undefined ? null : await deletionVisibilityOf(ctx, p.modifiedSince);
      const exits = await scopeExits(db, user!, p, scope, await permissionsOf(ctx));
      parts.push(["eventDeletions", queryDeletions(db, user!, p, scope, told, exits)]);
    }
    return new StreamedResult(parts);
  },
});

const getOne = defineMethod({
  id: "events.getOne",
  result: eventGetOneResult,
  scope: "account",
  params: eventGetOneParams,
  permission: DATA_ACCESS,
  writes: false,
  handler: async (ctx, { id, includeHistory }) => {
    const row = await findEventRow(ctx.db, ctx.user!.id, id);
    // A deleted event answers with its deletion record, as the reference does — to those who may
    // learn of the deletion (the rule of events.get). For the others it is unknown (404, not the 403
    // of a live event they may not read): nothing tells them the id ever existed.
    if (row && row.deleted !== null) {
      const where = JSON.parse(row.streamIds) as string[];
      if (!(await readableTest(ctx, where))(where)) throw errors.unknownResource("event", id);
      return { event: toDeletion(row) };
    }
    const event = await liveEvent(ctx, id);
    if (ctx.access!.type !== "personal") assertCanOnSome((await permissionsOf(ctx)).logic, "read", event.streamIds);
    const withTokens = await tokened(ctx, event);
    if (!includeHistory) return { event: withTokens };
    // A past version is shown only to a token that may read that version: the check of the current
    // one, on the version's streams (permissions as they are now; a stream deleted since is judged
    // where it was, never by `*` alone). Other versions are left out — not redacted: even an emptied
    // version would tell when and by whom the event was changed while out of reach.
    const history = await eventHistoryOf(ctx.db, ctx.user!.id, id);
    const mayRead = await readableTest(ctx, history.flatMap((v) => v.streamIds));
    return { event: withTokens, history: history.filter((v) => mayRead(v.streamIds)) };
  },
});

const create = defineMethod({
  id: "events.create",
  result: eventResultBody,
  scope: "account",
  params: eventCreateParams,
  permission: DATA_ACCESS,
  writes: true,
  commitsInGroup: true,
  status: 201,
  handler: async (ctx, p) => {
    const { env, config, user, access, writer } = ctx;
    const { tree, logic } = await permissionsOf(ctx);
    const streamIds = dedupe(p.streamIds);
    assertCanOnAll(logic, "create", streamIds);
    assertStreamsUsable(tree, streamIds);
    await assertContentValid(env, config, p.type, p.content);
    assertEventSize(p as Pick<ApiEvent, "content" | "description" | "clientData">);
    const id = p.id ?? newId();

    const stamp = await writer!.stamp();
    const by = access!.id;
    const draft: ApiEvent = {
      id,
      streamIds,
      type: p.type,
      time: p.time ?? stamp.time,
      created: stamp.time,
      createdBy: by,
      modified: stamp.time,
      modifiedBy: by,
    };
    if (p.duration !== undefined && p.duration !== 0) draft.duration = p.duration;
    if (p.content !== undefined && p.content !== null) draft.content = p.content;
    if (p.description !== undefined && p.description !== null) draft.description = p.description;
    if (p.clientData) draft.clientData = p.clientData;
    if (p.trashed) draft.trashed = true;
    if (ctx.uploads.length) draft.attachments = ctx.uploads.map(attachmentOf);
    const event = await sealed(draft);

    const keys = ctx.uploads.map((f) => f.key);
    try {
      // In a group this only queues: a taken id then fails the group's commit, whose calls run again one by one.
      const committed = () => {
        writer!.files.committed(keys);
        writer!.recentEvents.remember(user!.id, event);
      };
      await writer!.commit({ userId: user!.id, created: [newEvent(event, stamp.serial)], committed });
    } catch (err) {
      // The id is taken (by a live or a deleted event: deleted ids are not reused).
      if (isUniqueViolation(err)) throw errors.itemAlreadyExists("event", { id });
      throw err;
    }
    return { event: await tokened(ctx, event) };
  },
});

/** An account field's event: only its content changes, through the account (directory included). */
async function updateAccountEvent(ctx: MethodContext, before: ApiEvent, update: EventUpdateParams["update"]) {
  const field = getSystemStream(before.id)!;
  const keys = Object.keys(update).filter((k) => (update as Record<string, unknown>)[k] !== undefined);
  if (!field.editable || keys.some((k) => k !== "content") || typeof update.content !== "string") {
    throw errors.invalidOperation(
      "Forbidden event modification: only the content (a string) of an editable account field's event can change.",
      { streamId: before.id },
    );
  }
  await applyAccountChanges(ctx, { [field.field!]: update.content });
  return { event: await liveEvent(ctx, before.id) };
}

const update = defineMethod({
  id: "events.update",
  result: eventResultBody,
  scope: "account",
  params: eventUpdateParams,
  permission: DATA_ACCESS,
  writes: true,
  commitsInGroup: true,
  handler: async (ctx, { id, update: changes }) => {
    assertNoProtectedFields(changes, EVENT_PROTECTED_FIELDS);
    // An event this object just wrote needs no read (account field events change through the account: always read).
    const before = (!isAccountEvent(id) && ctx.writer!.recentEvents.get(ctx.user!.id, id)) || (await liveEvent(ctx, id));
    const { logic, tree } = await permissionsOf(ctx);
    assertCanOnSome(logic, "update", before.streamIds);
    if (isAccountEvent(id)) return updateAccountEvent(ctx, before, changes);
    const { env, config, access, writer } = ctx;

    const streamIds = changes.streamIds ? dedupe(changes.streamIds) : before.streamIds;
    if (changes.streamIds) {
      const added = streamIds.filter((s) => !before.streamIds.includes(s));
      const removed = before.streamIds.filter((s) => !streamIds.includes(s));
      assertCanOnAll(logic, "update", [...added, ...removed]);
      assertStreamsUsable(tree, streamIds, added);
    }
    const type = changes.type ?? before.type;
    if (type.startsWith("series:") !== before.type.startsWith("series:")) {
      throw errors.invalidOperation("Normal events cannot be updated to HF-events and vice versa.");
    }
    const content = changes.content !== undefined ? changes.content : before.content;
    if (changes.type !== undefined || changes.content !== undefined) await assertContentValid(env, config, type, content);

    const stamp = await writer!.stamp();
    const after: ApiEvent = { ...before, streamIds, type, modified: stamp.time, modifiedBy: access?.id ?? SYSTEM_AUTHOR };
    if (changes.time !== undefined) after.time = changes.time;
    if (changes.duration !== undefined) {
      if (changes.duration === 0) delete after.duration;
      else after.duration = changes.duration;
    }
    if (content === null || content === undefined) delete after.content;
    else after.content = content;
    if (changes.description !== undefined) {
      if (changes.description === null) delete after.description;
      else after.description = changes.description;
    }
    const clientData = mergeClientData(before.clientData, changes.clientData);
    if (clientData) after.clientData = clientData;
    else delete after.clientData;
    if (changes.trashed !== undefined) {
      if (changes.trashed) after.trashed = true;
      else delete after.trashed;
    }
    assertEventSize(after);
    const event = await sealed(after);
    await writeNewVersion(ctx, before, event, stamp.serial);
    writer!.recentEvents.remember(ctx.user!.id, event);
    return { event: await tokened(ctx, event) };
  },
});

const del = defineMethod({
  id: "events.delete",
  result: eventDeleteResult,
  scope: "account",
  params: eventDeleteParams,
  permission: DATA_ACCESS,
  writes: true,
  handler: async (ctx, { id }) => {
    const before = await liveEvent(ctx, id);
    assertCanOnSome((await permissionsOf(ctx)).logic, "update", before.streamIds);
    if (isAccountEvent(id)) throw errors.invalidOperation("Account events cannot be deleted.");
    const { db, user, access, writer } = ctx;
    const stamp = await writer!.stamp();
    if (!before.trashed) {
      const event = await sealed({ ...before, trashed: true, modified: stamp.time, modifiedBy: access?.id ?? SYSTEM_AUTHOR });
      await writeNewVersion(ctx, before, event, stamp.serial);
      return { event: await tokened(ctx, event) };
    }
    const deletion = { id, deleted: stamp.time };
    const record = { ...deletion, integrity: await eventIntegrity(deletion) };
    await runBatch(db, deleteEventStatements(db, user!.id, record, before.streamIds, stamp.serial));
    writer!.files.discard((before.attachments ?? []).map((a) => fileKey(user!.id, a.id)));
    return { eventDeletion: deletion };
  },
});

export const eventsMethods = [get, getOne, create, update, del];
