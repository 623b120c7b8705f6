/** The operator's admin API (ADMIN_KEY): the user directory and the cores (invitations: invitations.methods.ts). */
import { z } from "zod";
import { errors } from "../errors";
import { ADMIN, defineMethod } from "../methods/method";
import { StreamedResult } from "../methods/streamed";
import { LIMITS } from "../shared/limits";
import { activeEntriesPage, allActiveEntries, countsByCore, findActiveEntry, renameCore, type DirectoryEntry } from "./directory";
import { getUserResult, listServersResult, listUsersResult, renameServerResult, serverUsersResult } from "./admin.schema";

/** What the admin API shows of a directory entry. */
export function directoryEntry(entry: DirectoryEntry) {
  return {
    username: entry.username,
    email: entry.email,
    core: entry.core,
    invitationToken: entry.invitationToken,
    created: entry.created,
  };
}

async function* asEntries(entries: AsyncIterable<DirectoryEntry>) {
  for await (const entry of entries) yield directoryEntry(entry);
}

/**
 * Every user, streamed (as the reference lists them all). Paging only when asked:
 * `limit` (and `skip`) answer one page with the `total`.
 */
const listParams = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  skip: z.coerce.number().int().min(0).optional(),
  toHTML: z.enum(["true", "false"]).optional(),
});

/** A core id as CORE_ID spells them (the reference checks host names the same way). */
const coreName = z.string().max(LIMITS.shortText).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "Invalid core name");

export const adminMethods = [
  defineMethod({
    id: "admin.listUsers",
    result: listUsersResult,
    scope: "service",
    params: listParams,
    permission: ADMIN,
    writes: false,
    handler: async ({ db }, { limit, skip }) => {
      if (limit === undefined && skip === undefined) return new StreamedResult([["users", asEntries(allActiveEntries(db))]]);
      const page = await activeEntriesPage(db, limit ?? 100, skip ?? 0);
      return { users: page.rows.map(directoryEntry), total: page.total, limit: limit ?? 100, skip: skip ?? 0 };
    },
  }),
  defineMethod({
    id: "admin.getUser",
    result: getUserResult,
    scope: "service",
    params: z.object({ username: z.string().max(LIMITS.shortText) }),
    permission: ADMIN,
    writes: false,
    handler: async ({ db }, { username }) => {
      const entry = await findActiveEntry(db, username);
      if (!entry) throw errors.unknownResource("user", username);
      return { user: directoryEntry(entry) };
    },
  }),
  defineMethod({
    id: "admin.listServers",
    result: listServersResult,
    scope: "service",
    params: z.object({ toHTML: z.enum(["true", "false"]).optional() }),
    permission: ADMIN,
    writes: false,
    handler: async ({ db }) => ({ servers: await countsByCore(db) }),
  }),
  defineMethod({
    id: "admin.serverUsers",
    result: serverUsersResult,
    scope: "service",
    params: z.object({ serverName: coreName, toHTML: z.enum(["true", "false"]).optional() }),
    permission: ADMIN,
    writes: false,
    handler: async ({ db }, { serverName }) => new StreamedResult([["users", asEntries(allActiveEntries(db, serverName))]]),
  }),
  defineMethod({
    id: "admin.renameServer",
    result: renameServerResult,
    scope: "service",
    params: z.object({ srcServerName: coreName, dstServerName: coreName }),
    permission: ADMIN,
    // A directory update in the register's D1, not an account write: no Durable Object involved.
    writes: false,
    handler: async ({ db }, { srcServerName, dstServerName }) => ({ count: await renameCore(db, srcServerName, dstServerName) }),
  }),
];
