/**
 * DNS records of the service's domain, kept by the register (table
 * `dns_records`, migration 0012) and managed with the admin key, in the
 * reference's shape: `{subdomain, records: {a?, aaaa?, cname?, txt?}}`.
 *
 * The reference serves them from its embedded DNS server (and uses them for
 * its own ACME challenges). On Cloudflare, DNS and TLS are the platform's:
 * the zone is Cloudflare's, certificates are issued and renewed by it, and
 * nothing here answers DNS queries. The records are the operator's book of
 * what the zone must publish beside the Worker's routes — chiefly the TXT
 * values of custom-domain validation (Cloudflare for SaaS ownership
 * `_cf-custom-hostname.{host}`, delegated `_acme-challenge` tokens) — listed
 * in one place every node and tool reads, for a script or the Cloudflare DNS
 * API to apply.
 */
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { dnsRecords } from "../db/schema";
import { nowSeconds } from "../shared/time";

/** Host names the service answers itself in the reference (its DNS serves every core for them). */
export const SERVICE_SUBDOMAINS: readonly string[] = ["reg", "access", "mfa"];

/** Labels as DNS allows them, `_` included (`_acme-challenge`, `_cf-custom-hostname`); case folded. */
const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

export const subdomainSchema = z
  .string()
  .max(253)
  .toLowerCase()
  .regex(HOST_NAME, "must be a host name: dot-separated labels of letters, digits, '-' and '_'");

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1).max(16)]).transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));

/** A TXT value is one DNS character-string: printable ASCII, at most 255 bytes. */
const txtValue = z.string().min(1).max(255).regex(/^[\x20-\x7e]+$/, "must be printable ASCII");

export const recordsSchema = z
  .strictObject({
    a: oneOrMany(z.ipv4()).optional(),
    aaaa: oneOrMany(z.ipv6()).optional(),
    cname: z.string().max(254).transform((s) => s.replace(/\.$/, "")).pipe(subdomainSchema).optional(), // a full host name
    txt: oneOrMany(txtValue).optional(),
  })
  .refine((r) => r.a || r.aaaa || r.cname || r.txt, "must hold at least one of a, aaaa, cname, txt")
  .refine((r) => !r.cname || (!r.a && !r.aaaa && !r.txt), "a cname cannot stand beside other records (RFC 1034)");

export type DnsRecordSet = z.output<typeof recordsSchema>;

export interface DnsRecordEntry {
  subdomain: string;
  records: DnsRecordSet;
  created: number;
  modified: number;
}

export async function setDnsRecord(db: Db, subdomain: string, records: DnsRecordSet): Promise<void> {
  const now = nowSeconds();
  const json = JSON.stringify(records);
  await db
    .insert(dnsRecords)
    .values({ subdomain, records: json, created: now, modified: now })
    .onConflictDoUpdate({ target: dnsRecords.subdomain, set: { records: json, modified: now } });
}

/** False when there was none. */
export async function deleteDnsRecord(db: Db, subdomain: string): Promise<boolean> {
  const deleted = await db.delete(dnsRecords).where(eq(dnsRecords.subdomain, subdomain)).returning().get();
  return deleted !== undefined;
}

export async function listDnsRecords(db: Db): Promise<DnsRecordEntry[]> {
  const rows = await db.select().from(dnsRecords).orderBy(asc(dnsRecords.subdomain)).all();
  return rows.map((r) => ({ ...r, records: JSON.parse(r.records) as DnsRecordSet }));
}
