/** Results of the admin API's methods (`meta` is added by the HTTP layer; `toHTML=true` renders them as tables). */
import { z } from "zod";
import { timestamp } from "../methods/result-parts";

/** What the admin API shows of an account's directory entry (admin.methods.ts `directoryEntry`). */
export const directoryEntryResult = z
  .strictObject({
    username: z.string(),
    email: z.string(),
    /** The id of the core hosting the account. */
    core: z.string(),
    invitationToken: z.string().nullable(),
    created: timestamp,
  })
  .meta({ id: "DirectoryEntry", description: "An account as the register's directory holds it." });

/** Every user (streamed); with `limit`/`skip`, one page and the `total`. */
export const listUsersResult = z.strictObject({
  users: z.array(directoryEntryResult),
  total: z.number().optional(),
  limit: z.number().optional(),
  skip: z.number().optional(),
});

export const serverUsersResult = z.strictObject({ users: z.array(directoryEntryResult) });
export const getUserResult = z.strictObject({ user: directoryEntryResult });
/** Accounts per core id. */
export const listServersResult = z.strictObject({ servers: z.record(z.string(), z.number()) });
/** How many accounts moved. */
export const renameServerResult = z.strictObject({ count: z.number() });

/** Times in milliseconds, as the reference. */
const invitationResult = z
  .strictObject({
    id: z.string(),
    createdAt: z.number(),
    createdBy: z.literal("admin"),
    description: z.string(),
    consumedAt: z.number().optional(),
    consumedBy: z.string().optional(),
  })
  .meta({ id: "Invitation", description: "An invitation token (times in milliseconds)." });

export const listInvitationsResult = z.strictObject({ invitations: z.array(invitationResult) });
export const createInvitationsResult = z.strictObject({ data: z.array(invitationResult) });
/** Served as plain text `true` / `false` (`resultMedia: "text"`). */
export const invitationCheckResult = z.strictObject({ valid: z.boolean() });

const dnsRecordSetResult = z.strictObject({
  a: z.array(z.string()).optional(),
  aaaa: z.array(z.string()).optional(),
  cname: z.string().optional(),
  txt: z.array(z.string()).optional(),
});

export const setDnsRecordResult = z.strictObject({ subdomain: z.string(), records: dnsRecordSetResult, status: z.literal("ok") });
export const deleteDnsRecordResult = z.strictObject({ subdomain: z.string(), status: z.literal("deleted") });
export const listDnsRecordsResult = z.strictObject({
  records: z.array(z.strictObject({ subdomain: z.string(), records: dnsRecordSetResult, created: timestamp, modified: timestamp })),
});

/** Newest first; the key presented is known only by a fingerprint. */
export const adminTrailResult = z.strictObject({
  trail: z.array(
    z.strictObject({
      time: timestamp,
      keyFingerprint: z.string().nullable(),
      admitted: z.boolean(),
      method: z.string(),
      /** `ok` or the error id. */
      outcome: z.string(),
      status: z.number(),
      target: z.string().nullable(),
      ip: z.string().nullable(),
      country: z.string().nullable(),
      asn: z.number().nullable(),
    }),
  ),
});
