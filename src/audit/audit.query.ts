/**
 * Reading the trail of use as the reference v2 does: `events.get` on the
 * `:_audit:` streams — `:_audit:access-{accessId}` (one access's calls),
 * `:_audit:action-{methodId}` (one method's), `:_audit:` (all) — combined
 * with `{any, all, not}` and the time filters. Each call is an event of type
 * `audit-log/pryv-api` (`…-error` when it failed).
 */
import { sql, type SQL } from "drizzle-orm";
import type { UserRecord } from "../account/account.store";
import type { Db } from "../db/client";
import { errors } from "../errors";
import type { EventsGetParams } from "../events/events.schema";
import { effectiveLimit } from "../events/events.query";
import { namedStreams, type StreamRef, type StreamsQuery } from "../events/streams-query";
import { AUDIT_PREFIX, type AccessLogic } from "../permissions/access-logic";

const PAGE_SIZE = 500;

export interface AuditRow {
  id: string;
  time: number;
  access_id: string;
  method: string;
  status: number;
  error_id: string | null;
  source: string;
  country: string | null;
  asn: number | null;
  network: string | null;
  new_origin: number;
}

/** True when the query reads the trail (it then names audit streams only). */
export function isAuditQuery(queries: StreamsQuery[]): boolean {
  const named = namedStreams(queries);
  const audit = named.filter((r) => r.id.startsWith(AUDIT_PREFIX));
  if (audit.length && audit.length !== named.length) {
    throw errors.invalidRequestStructure(
      'Invalid "streams" parameter: audit streams (":_audit:…") cannot be mixed with other streams in one query.',
    );
  }
  return audit.length > 0;
}

/** One named audit stream as a condition on audit rows. */
function condition(ref: StreamRef): SQL {
  const name = ref.id.slice(AUDIT_PREFIX.length);
  if (name === "" || name === "accesses" || name === "actions") return sql`1`;
  if (name.startsWith("access-")) return sql`a.access_id = ${name.slice("access-".length)}`;
  if (name.startsWith("action-")) return sql`a.method = ${name.slice("action-".length)}`;
  throw errors.unknownReferencedResource("stream", "streams", [ref.id]);
}

function queryCondition(queries: StreamsQuery[]): SQL {
  const clauses = queries.map((q) => {
    const parts: SQL[] = [];
    if (q.any) parts.push(sql`(${sql.join(q.any.map(condition), sql` OR `)})`);
    for (const ref of q.all) parts.push(condition(ref));
    if (q.not.length) parts.push(sql`NOT (${sql.join(q.not.map(condition), sql` OR `)})`);
    return sql`(${sql.join(parts, sql` AND `)})`;
  });
  return sql`(${sql.join(clauses, sql` OR `)})`;
}

/** A non-personal access reads its own trail; other audit streams need a permission on them (or `:_audit:`). */
export function assertAuditReadable(logic: AccessLogic, queries: StreamsQuery[]): void {
  for (const ref of queries.flatMap((q) => q.any ?? [])) {
    if (!logic.can("read", ref.id)) throw errors.forbidden(`Insufficient permission to get the events of stream [${ref.id}].`);
  }
}

export function toAuditEvent(row: AuditRow) {
  const failed = row.status >= 400;
  const content: Record<string, unknown> = { source: { name: row.source }, action: row.method, status: row.status };
  if (failed && row.error_id) content.id = row.error_id;
  if (row.country || row.asn !== null) content.origin = { country: row.country, asn: row.asn, network: row.network };
  if (row.new_origin) content.newOrigin = true;
  return {
    id: `${AUDIT_PREFIX}${row.id}`,
    streamIds: [`${AUDIT_PREFIX}access-${row.access_id}`, `${AUDIT_PREFIX}action-${row.method}`],
    type: failed ? "audit-log/pryv-api-error" : "audit-log/pryv-api",
    time: row.time,
    content,
    created: row.time,
    createdBy: "system",
    modified: row.time,
    modifiedBy: "system",
  };
}

/** The audit events the query selects, newest first unless `sortAscending`, page by page. */
export async function* queryAudit(db: Db, user: UserRecord, queries: StreamsQuery[], p: EventsGetParams) {
  const where: SQL[] = [sql`a.user_id = ${user.id}`, queryCondition(queries)];
  if (p.fromTime !== undefined) where.push(sql`a.time >= ${p.fromTime}`);
  if (p.toTime !== undefined) where.push(sql`a.time <= ${p.toTime}`);
  if (p.modifiedSince !== undefined) where.push(sql`a.time > ${p.modifiedSince}`);
  if (p.types?.length) {
    const failedWanted = p.types.some((t) => t === "audit-log/pryv-api-error" || t === "audit-log/*");
    const okWanted = p.types.some((t) => t === "audit-log/pryv-api" || t === "audit-log/*");
    if (!failedWanted) where.push(sql`a.status < 400`);
    if (!okWanted) where.push(sql`a.status >= 400`);
  }
  const order = p.sortAscending ? sql`ASC` : sql`DESC`;
  const limit = effectiveLimit(p);
  let offset = p.skip ?? 0;
  let remaining = limit ?? Number.POSITIVE_INFINITY;
  while (remaining > 0) {
    const size = Math.min(PAGE_SIZE, remaining);
    const rows = await db.all<AuditRow>(
      sql`SELECT * FROM audit_log a WHERE ${sql.join(where, sql` AND `)} ORDER BY a.time ${order}, a.id ${order} LIMIT ${size} OFFSET ${offset}`,
    );
    for (const row of rows) yield toAuditEvent(row);
    if (rows.length < size) return;
    offset += size;
    remaining -= size;
  }
}
