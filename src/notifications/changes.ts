/**
 * What a committed write changed, and who may be told (the scoping rule):
 * the account's Durable Object calls `probeBefore` before a write call and
 * `describeChange` after it succeeded, then `audience` to learn which of its
 * sockets get which messages and which must be closed (revoked tokens).
 *
 * - events: a socket is told iff its token may read one of the event's
 *   streams before the change (in the tree of then) or after it.
 * - streams: iff its token may list the stream before or after the change
 *   (a stream deletion also changes the events it held: `eventsChanged` too).
 * - accesses: a personal token sees every access; an app token those it
 *   created and itself; a shared token itself only.
 */
import { and, eq, inArray } from "drizzle-orm";
import { getSystemStream } from "../account/system-streams";
import { assertUsableAccess } from "../accesses/authenticate";
import type { AccessRecord } from "../accesses/accesses.store";
import type { Db } from "../db/client";
import { accesses, events, users } from "../db/schema";
import { jsonList } from "../db/sql";
import { AccessLogic, type Capability, type Permission } from "../permissions/access-logic";
import type { StreamTree } from "../streams/stream-tree";
import type { StreamRow } from "../streams/streams.store";

export type ChangeMessage = "eventsChanged" | "streamsChanged" | "accessesChanged";

type Tree = StreamTree<StreamRow>;

/** State read before a write call, under the write lock. */
export interface Probe {
  userId: number;
  tree: Tree;
  eventStreams: string[];
  access: { id: string; createdBy: string } | null;
}

export interface Change {
  userId: number;
  events: { before: string[]; after: string[] } | null;
  streams: string[] | null;
  accesses: { id: string; createdBy: string }[] | null;
  treeBefore: Tree;
  treeAfter: Tree;
  /** Accesses may have been revoked: every socket's token is checked again. */
  recheckTokens: boolean;
}

const WATCHED = /^(events|streams|accesses|auth)\./;

/** Whether a call of `methodId` may change what sockets are told of. */
export const mayNotify = (methodId: string) => WATCHED.test(methodId);

const idParam = (params: unknown): string | null => {
  const id = (params as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : null;
};

export async function probeBefore(
  db: Db,
  username: string | null,
  methodId: string,
  params: unknown,
  treeOf: (userId: number) => Promise<Tree>,
): Promise<Probe | null> {
  if (!username || !mayNotify(methodId)) return null;
  const user = await db.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
  if (!user) return null;
  const id = idParam(params);
  let eventStreams: string[] = [];
  let access: Probe["access"] = null;
  if (id && methodId.startsWith("events.")) {
    const row = await db
      .select({ streamIds: events.streamIds })
      .from(events)
      .where(and(eq(events.userId, user.id), eq(events.id, id)))
      .get();
    if (row) eventStreams = JSON.parse(row.streamIds) as string[];
  }
  if (id && methodId.startsWith("accesses.")) {
    const row = await db
      .select({ id: accesses.id, createdBy: accesses.createdBy })
      .from(accesses)
      .where(and(eq(accesses.userId, user.id), eq(accesses.id, id)))
      .get();
    access = row ?? null;
  }
  return { userId: user.id, tree: await treeOf(user.id), eventStreams, access };
}

type Result = Record<string, unknown>;
const streamIdsOf = (event: unknown): string[] => {
  const ids = (event as { streamIds?: unknown } | undefined)?.streamIds;
  return Array.isArray(ids) ? ids.filter((s): s is string => typeof s === "string") : [];
};

/** The change a successful write call made; null if none is told of. */
export function describeChange(
  probe: Probe,
  methodId: string,
  params: unknown,
  result: unknown,
  callerAccessId: string | null,
  treeAfter: Tree,
): Change | null {
  const r = (result ?? {}) as Result;
  const change: Change = {
    userId: probe.userId,
    events: null,
    streams: null,
    accesses: null,
    treeBefore: probe.tree,
    treeAfter,
    recheckTokens: false,
  };
  const [domain] = methodId.split(".");
  if (domain === "events") {
    change.events = { before: probe.eventStreams, after: streamIdsOf(r.event) };
  } else if (domain === "streams") {
    const id = idParam(params) ?? ((r.stream as { id?: string } | undefined)?.id ?? null);
    if (!id) return null;
    change.streams = [id];
    // Deleting a stream for good moves or removes the events it held.
    if (methodId === "streams.delete" && !r.stream) change.events = { before: probe.tree.subtree(id), after: [] };
  } else if (domain === "accesses") {
    change.recheckTokens = true;
    if (methodId === "accesses.create") {
      const id = (r.access as { id?: string } | undefined)?.id;
      if (id && callerAccessId) change.accesses = [{ id, createdBy: callerAccessId }];
    } else if (probe.access) {
      const related = (r.relatedDeletions as { id: string }[] | undefined) ?? [];
      change.accesses = [probe.access, ...related.map((a) => ({ id: a.id, createdBy: probe.access!.id }))];
    }
  } else if (domain === "auth") {
    change.recheckTokens = true; // logout ends a session
  } else {
    return null;
  }
  return change;
}

function logicIn(access: AccessRecord, tree: Tree): AccessLogic {
  const parentOf = (id: string) => tree.get(id)?.parentId ?? getSystemStream(id)?.parentId;
  return new AccessLogic(
    { id: access.id, type: access.type, permissions: JSON.parse(access.permissions) as Permission[] },
    parentOf,
  );
}

const known = (tree: Tree, id: string) => tree.has(id) || getSystemStream(id) !== undefined;
const canOnSome = (logic: AccessLogic, tree: Tree, capability: Capability, ids: readonly string[]) =>
  ids.some((id) => known(tree, id) && logic.can(capability, id));

function mayReadAccess(reader: AccessRecord, target: { id: string; createdBy: string }): boolean {
  if (reader.type === "personal") return true;
  if (target.id === reader.id) return true;
  return reader.type === "app" && target.createdBy === reader.id;
}

/** The accesses of the listeners, as stored now (absent: gone). */
export async function loadListenerAccesses(db: Db, userId: number, ids: readonly string[]): Promise<Map<string, AccessRecord>> {
  if (!ids.length) return new Map();
  const rows = await db
    .select()
    .from(accesses)
    .where(and(eq(accesses.userId, userId), inArray(accesses.id, jsonList(ids))))
    .all();
  return new Map(rows.map((row) => [row.id, row]));
}

/** Whether a listener's token is still usable (not deleted, not expired, session open). */
export function tokenUsable(access: AccessRecord | undefined, token: string, now: number): boolean {
  if (!access || access.deleted !== null) return false;
  try {
    assertUsableAccess(access, token, now);
    return true;
  } catch {
    return false;
  }
}

/** The messages `listener` is told of for `change`, in a fixed order; [] if none. */
export function messagesFor(change: Change, access: AccessRecord): ChangeMessage[] {
  const out: ChangeMessage[] = [];
  const needsLogic = change.events !== null || change.streams !== null;
  const before = needsLogic ? logicIn(access, change.treeBefore) : null;
  const after = needsLogic ? logicIn(access, change.treeAfter) : null;
  if (change.streams && (canOnSome(before!, change.treeBefore, "list", change.streams) || canOnSome(after!, change.treeAfter, "list", change.streams))) {
    out.push("streamsChanged");
  }
  if (
    change.events &&
    (canOnSome(before!, change.treeBefore, "read", change.events.before) ||
      canOnSome(after!, change.treeAfter, "read", change.events.after))
  ) {
    out.push("eventsChanged");
  }
  if (change.accesses?.some((target) => mayReadAccess(access, target))) out.push("accessesChanged");
  return out;
}
