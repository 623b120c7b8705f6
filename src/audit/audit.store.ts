import { sql } from "drizzle-orm";
import type { Db } from "../db/client";

export interface NewOrigin {
  accessId: string;
  accessName: string | null;
  time: number;
  country: string | null;
  asn: number | null;
  network: string | null;
  method: string;
}

/** Calls since `since` that were an access's first from a country or network, newest first. */
export async function recentNewOrigins(db: Db, userId: number, since: number): Promise<NewOrigin[]> {
  return db.all<NewOrigin>(sql`
    SELECT a.access_id AS accessId, x.name AS accessName, a.time AS time, a.country AS country, a.asn AS asn,
           a.network AS network, a.method AS method
    FROM audit_log a LEFT JOIN accesses x ON x.user_id = a.user_id AND x.id = a.access_id
    WHERE a.user_id = ${userId} AND a.new_origin = 1 AND a.time > ${since}
    ORDER BY a.time DESC LIMIT 100`);
}
