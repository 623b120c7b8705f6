/** Storage of streams: rows ↔ API objects, the tree, deletion records. */
import { and, asc, eq, gt, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { WriteStamp } from "../account-do/account-writer";
import type { Db } from "../db/client";
import { streamMoves, streams } from "../db/schema";
import { jsonList } from "../db/sql";
import { StreamTree } from "./stream-tree";

export type StreamRow = typeof streams.$inferSelect;

export interface Stream {
  id: string;
  name: string;
  parentId: string | null;
  clientData?: Record<string, unknown>;
  children?: Stream[];
  trashed?: true;
  created: number;
  createdBy: string;
  modified: number;
  modifiedBy: string;
}

/** The account's live (not deleted) streams, by name then id. */
export async function loadStreamRows(db: Db, userId: number): Promise<StreamRow[]> {
  return db
    .select()
    .from(streams)
    .where(and(eq(streams.userId, userId), isNull(streams.deleted)))
    .orderBy(asc(streams.name), asc(streams.id))
    .all();
}

export async function loadStreamTree(db: Db, userId: number): Promise<StreamTree<StreamRow>> {
  return new StreamTree(await loadStreamRows(db, userId));
}

/** API form (without children); null fields and `trashed: false` are left out, as the reference does. */
export function toStream(row: StreamRow): Stream {
  const stream: Stream = {
    id: row.id,
    name: row.name ?? "",
    parentId: row.parentId,
    created: row.created ?? 0,
    createdBy: row.createdBy ?? "",
    modified: row.modified,
    modifiedBy: row.modifiedBy ?? "",
  };
  if (row.clientData !== null) stream.clientData = JSON.parse(row.clientData) as Record<string, unknown>;
  if (row.trashed) stream.trashed = true;
  return stream;
}

/**
 * Nested streams under `parentId` (null: the roots), children sorted by name.
 * Without `withTrashed`, a trashed stream is left out with its whole subtree;
 * so is one `visible` refuses.
 */
export function nestStreams(
  tree: StreamTree<StreamRow>,
  parentId: string | null,
  withTrashed: boolean,
  visible: (row: StreamRow) => boolean = () => true,
): Stream[] {
  const shown = (row: StreamRow) => (withTrashed || !row.trashed) && visible(row);
  const build = (row: StreamRow): Stream => ({ ...toStream(row), children: tree.children(row.id).filter(shown).map(build) });
  return tree.children(parentId).filter(shown).map(build);
}

/** A stream's deletion record, with where the stream was (see permissions' `canWhereDeleted`). */
export interface StreamDeletion {
  id: string;
  deleted: number;
  /** Its ancestors when deleted, nearest first; null when not recorded (records older than migration 0005). */
  formerAncestors: string[] | null;
}

async function streamDeletionsWhere(db: Db, userId: number, condition: SQL): Promise<StreamDeletion[]> {
  const rows = await db
    .select({ id: streams.id, deleted: streams.deleted, formerAncestors: streams.formerAncestors })
    .from(streams)
    .where(and(eq(streams.userId, userId), isNotNull(streams.deleted), condition))
    .orderBy(asc(streams.deleted))
    .all();
  return rows.map((r) => ({
    id: r.id,
    deleted: r.deleted!,
    formerAncestors: r.formerAncestors === null ? null : (JSON.parse(r.formerAncestors) as string[]),
  }));
}

export function streamDeletionsSince(db: Db, userId: number, since: number): Promise<StreamDeletion[]> {
  return streamDeletionsWhere(db, userId, gt(streams.deleted, since));
}

/** The deletion records among `ids` (the others are live or unknown). */
export function streamDeletionsOf(db: Db, userId: number, ids: readonly string[]): Promise<StreamDeletion[]> {
  return streamDeletionsWhere(db, userId, inArray(streams.id, jsonList(ids)));
}

export interface NewStream {
  id: string;
  name: string;
  parentId: string | null;
  clientData: Record<string, unknown> | null;
  trashed: boolean;
}

/** Statements creating a stream (replacing a deletion record of the same id, ids being reusable). */
export function insertStream(db: Db, userId: number, stream: NewStream, stamp: WriteStamp, by: string) {
  return [
    db.delete(streams).where(and(eq(streams.userId, userId), eq(streams.id, stream.id), isNotNull(streams.deleted))),
    db.insert(streams).values({
      userId,
      id: stream.id,
      name: stream.name,
      parentId: stream.parentId,
      clientData: stream.clientData === null ? null : JSON.stringify(stream.clientData),
      trashed: stream.trashed,
      created: stamp.time,
      createdBy: by,
      modified: stamp.time,
      modifiedBy: by,
      serial: stamp.serial,
    }),
  ] as const;
}

export function updateStreamRow(
  db: Db,
  userId: number,
  id: string,
  changes: Partial<Pick<StreamRow, "name" | "parentId" | "clientData" | "trashed">>,
  stamp: WriteStamp,
  by: string,
) {
  return db
    .update(streams)
    .set({ ...changes, modified: stamp.time, modifiedBy: by, serial: stamp.serial })
    .where(and(eq(streams.userId, userId), eq(streams.id, id)));
}

/**
 * Turns streams (`ids`, in `tree`) into deletion records `{id, deleted}`:
 * everything else is forgotten but where each was — its ancestors at deletion.
 * The whole chain is kept rather than the parent id alone, resolved later
 * through the live tree: the parents of a deleted subtree are deleted too,
 * a live ancestor may move or be deleted later, and a deleted id may be
 * reused by a new stream elsewhere; the chain keeps the place the stream had,
 * which is what decides who could see it (a few ids per record).
 */
export function deleteStreamRows(db: Db, userId: number, tree: StreamTree, ids: string[], stamp: WriteStamp) {
  const places = JSON.stringify(Object.fromEntries(ids.map((id) => [id, tree.ancestors(id)])));
  return db
    .update(streams)
    .set({
      // json_each over an object: `key` is the stream id, `value` the JSON text of its ancestors
      // (the row's id written qualified: json_each has an `id` column of its own).
      formerAncestors: sql`(SELECT value FROM json_each(${places}) WHERE key = streams.id)`,
      name: null,
      parentId: null,
      clientData: null,
      trashed: false,
      created: null,
      createdBy: null,
      modifiedBy: null,
      modified: stamp.time,
      serial: stamp.serial,
      deleted: stamp.time,
    })
    .where(and(eq(streams.userId, userId), inArray(streams.id, jsonList(ids))));
}

/** Records where a stream was before a move (its former parent, null for a root). */
export function streamMoveStatement(db: Db, userId: number, id: string, formerParentId: string | null, time: number) {
  return db.insert(streamMoves).values({ userId, streamId: id, time, formerParentId });
}

export interface StreamMove {
  streamId: string;
  time: number;
  formerParentId: string | null;
}

/** The moves of the account's streams since `since`, oldest first. */
export function streamMovesSince(db: Db, userId: number, since: number): Promise<StreamMove[]> {
  return db
    .select({ streamId: streamMoves.streamId, time: streamMoves.time, formerParentId: streamMoves.formerParentId })
    .from(streamMoves)
    .where(and(eq(streamMoves.userId, userId), gt(streamMoves.time, since)))
    .orderBy(asc(streamMoves.time))
    .all();
}
