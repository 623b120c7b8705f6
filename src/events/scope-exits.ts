/**
 * Scope exits of a sync since T (`modifiedSince`): live events that left
 * what the query selects, which events.get reports as deletions.
 *
 * The rule: an event is a scope-exit deletion for a caller's sync since T iff
 * it is not in the query's scope now (its streams, state, and what the caller
 * may read — the conditions of events.get), and the caller could read it
 * within the query's scope at T — or when one of its later versions was
 * written (an event that entered and left since T). So a sync misses no exit
 * of an event the client may hold, and an event the caller could never read
 * (e.g. in a sub-stream masked with `none`) is never told of.
 *
 * Candidates are the events with a scope change recorded since T (their
 * streamIds changed, or a stream above them moved): bounded by T. Each
 * version is judged in the stream tree as it was then — the current tree with
 * the later moves undone (stream_moves), a stream deleted since judged where
 * it was — with the permissions the caller has now.
 */
import { sql } from "drizzle-orm";
import type { UserRecord } from "../account/account.store";
import { isSystemStreamId } from "../account/system-streams";
import type { Db } from "../db/client";
import { jsonList } from "../db/sql";
import { couldReadThen, type DeletedStreamPlace, type Permissions } from "../permissions";
import { streamDeletionsSince, streamMovesSince, type StreamMove } from "../streams/streams.store";
import { scopeCondition, type Scope } from "./events.query";
import type { EventDeletion, EventsGetParams } from "./events.schema";
import type { StreamRef, StreamsQuery } from "./streams-query";

/** A version of an event, and the time from which it stood (no earlier than T). */
interface Version {
  streamIds: string[];
  trashed: boolean;
  at: number;
}

interface Candidate {
  id: string;
  deleted: number;
  stream_ids: string;
  trashed: number;
  modified: number;
}

export async function scopeExits(
  db: Db,
  user: UserRecord,
  p: EventsGetParams,
  scope: Scope,
  perms: Permissions,
): Promise<EventDeletion[]> {
  if (p.modifiedSince === undefined) return [];
  const since = p.modifiedSince;
  const candidates = await db.all<Candidate>(sql`
    SELECT e.id AS id, max(c.time) AS deleted, e.stream_ids AS stream_ids, e.trashed AS trashed, e.modified AS modified
      FROM event_scope_changes c CROSS JOIN events e ON e.user_id = c.user_id AND e.id = c.event_id
      WHERE c.user_id = ${user.id} AND c.time > ${since} AND e.deleted IS NULL AND NOT (${scopeCondition(user.id, scope)})
      GROUP BY e.id`);
  if (!candidates.length) return [];
  const versions = await versionsSince(db, user.id, candidates, since);
  const past = new PastTree(perms, await streamMovesSince(db, user.id, since), await streamDeletionsSince(db, user.id, since));
  const wasSelected = (v: Version) => inState(v, p.state) && past.readableWithin(v, scope.queries);
  return candidates
    .filter((c) => (versions.get(c.id) ?? []).some(wasSelected))
    .map((c) => ({ id: c.id, deleted: c.deleted }));
}

/** Each candidate's version at T (if it existed then) and its later ones, the current one included. */
async function versionsSince(db: Db, userId: number, candidates: Candidate[], since: number): Promise<Map<string, Version[]>> {
  const out = new Map<string, Version[]>();
  const live = new Map(candidates.map((c) => [c.id, c]));
  for (const c of candidates) {
    out.set(c.id, [{ streamIds: JSON.parse(c.stream_ids) as string[], trashed: Boolean(c.trashed), at: Math.max(c.modified, since) }]);
  }
  // Previous versions written since T, and the one standing at T (the latest written before).
  const rows = await db.all<{ event_id: string; modified: number; stream_ids: string; trashed: number | null }>(sql`
    SELECT h.event_id AS event_id, h.modified AS modified,
        json_extract(h.data, '$.streamIds') AS stream_ids, json_extract(h.data, '$.trashed') AS trashed
      FROM event_history h
      WHERE h.user_id = ${userId} AND h.event_id IN ${jsonList(candidates.map((c) => c.id))}
        AND h.modified >= coalesce((SELECT max(h2.modified) FROM event_history h2
          WHERE h2.user_id = h.user_id AND h2.event_id = h.event_id AND h2.modified <= ${since}), ${since})`);
  for (const row of rows) {
    // Stood at T only if the current version was written after T.
    if (row.modified <= since && live.get(row.event_id)!.modified <= since) continue;
    const version = { streamIds: JSON.parse(row.stream_ids) as string[], trashed: Boolean(row.trashed), at: Math.max(row.modified, since) };
    out.get(row.event_id)!.push(version);
  }
  return out;
}

function inState(v: Version, state: EventsGetParams["state"]): boolean {
  return state === "all" || v.trashed === (state === "trashed");
}

/** The account's stream tree at a past time since T: the current one with the later moves undone. */
class PastTree {
  private readonly deleted: Map<string, DeletedStreamPlace>;

  constructor(
    private readonly perms: Permissions,
    private readonly moves: StreamMove[],
    deleted: DeletedStreamPlace[],
  ) {
    this.deleted = new Map(deleted.map((s) => [s.id, s]));
  }

  /** Whether the caller could read the version, and the query selected it, in the tree of its time. */
  readableWithin(v: Version, queries: StreamsQuery[]): boolean {
    const paths = new Map(v.streamIds.map((id) => [id, this.pathAt(id, v.at)]));
    if (!couldReadThen(this.perms.logic, v.streamIds, (id) => paths.get(id) ?? null)) return false;
    const covered = new Set(v.streamIds.flatMap((id) => paths.get(id) ?? [id]));
    const has = (ref: StreamRef) => (ref.exact ? v.streamIds.includes(ref.id) : covered.has(ref.id));
    return queries.some((q) => (q.any === null || q.any.some(has)) && q.all.every(has) && !q.not.some(has));
  }

  /** The stream and its ancestors at `time`, nearest first; null when its place is unknown. */
  private pathAt(id: string, time: number): string[] | null {
    const path: string[] = [];
    let current: string | null = id;
    while (current !== null && !path.includes(current)) {
      path.push(current);
      const move = this.moves.find((m) => m.streamId === current && m.time > time);
      if (move) current = move.formerParentId;
      else if (this.perms.tree.has(current) || isSystemStreamId(current)) current = this.perms.parentOf(current) ?? null;
      else {
        const ancestors: readonly string[] | null | undefined = this.deleted.get(current)?.formerAncestors;
        if (!ancestors) return null;
        current = ancestors[0] ?? null;
      }
    }
    return path;
  }
}
