/** The operator's admin API (ADMIN_KEY): the user directory and invitation tokens. */
import { asc } from "drizzle-orm";
import { z } from "zod";
import { findUserByUsername, type UserRecord } from "../account/account.store";
import { users } from "../db/schema";
import { errors } from "../errors";
import { ADMIN, defineMethod } from "../methods/method";
import { createInvitations, listInvitations } from "./invitations";
import { LIMITS } from "../shared/limits";

const MAX_INVITATIONS_PER_CALL = 100;

/** Directory entry: never the password hash. */
function directoryEntry(user: UserRecord) {
  return {
    username: user.username,
    email: user.email,
    language: user.language,
    appId: user.appId,
    referer: user.referer,
    invitationToken: user.invitationToken,
    core: user.core,
    created: user.created,
  };
}

const pageParams = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  skip: z.coerce.number().int().min(0).default(0),
});

export const adminMethods = [
  defineMethod({
    id: "admin.listUsers",
    scope: "service",
    params: pageParams,
    permission: ADMIN,
    writes: false,
    handler: async ({ db }, { limit, skip }) => {
      const rows = await db.select().from(users).orderBy(asc(users.id)).limit(limit).offset(skip).all();
      return { users: rows.map(directoryEntry) };
    },
  }),
  defineMethod({
    id: "admin.getUser",
    scope: "service",
    params: z.object({ username: z.string().max(LIMITS.shortText) }),
    permission: ADMIN,
    writes: false,
    handler: async ({ db }, { username }) => {
      const user = await findUserByUsername(db, username);
      if (!user) throw errors.unknownResource("user", username);
      return { user: directoryEntry(user) };
    },
  }),
  defineMethod({
    id: "admin.listInvitations",
    scope: "service",
    params: z.object({}).loose(),
    permission: ADMIN,
    writes: false,
    handler: async ({ db }) => ({ invitations: await listInvitations(db) }),
  }),
  defineMethod({
    id: "admin.createInvitations",
    scope: "service",
    params: z.object({
      count: z.coerce.number().int().min(1).max(MAX_INVITATIONS_PER_CALL),
      description: z.string().max(500).optional(),
    }),
    permission: ADMIN,
    writes: false,
    status: 201,
    handler: async ({ db }, { count, description }) => ({
      invitations: await createInvitations(db, count, description ?? null),
    }),
  }),
];
