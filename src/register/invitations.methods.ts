/** Invitation tokens: the admin's generation and listing, and the public validity check. */
import { z } from "zod";
import { ADMIN, defineMethod, PUBLIC } from "../methods/method";
import { LIMITS } from "../shared/limits";
import { createInvitations, isInvitationTokenValid, listInvitations } from "./invitations";
import { createInvitationsResult, invitationCheckResult, listInvitationsResult } from "./admin.schema";

const MAX_INVITATIONS_PER_CALL = 100;

const listInvitationsMethod = defineMethod({
  id: "admin.listInvitations",
  result: listInvitationsResult,
  scope: "service",
  params: z.object({}).loose(),
  permission: ADMIN,
  writes: false,
  handler: async ({ db }) => ({ invitations: await listInvitations(db) }),
});

/**
 * `{data: [...]}` with 200, as the reference's `GET /reg/admin/invitations/post`;
 * `POST /reg/admin/invitations` is the same method, so the same answer.
 * `count` is required (the reference takes 1 for a missing or unreadable one).
 */
const createInvitationsMethod = defineMethod({
  id: "admin.createInvitations",
  result: createInvitationsResult,
  scope: "service",
  params: z.object({
    count: z.coerce.number().int().min(1).max(MAX_INVITATIONS_PER_CALL),
    description: z.string().max(500).optional(),
  }),
  permission: ADMIN,
  writes: false,
  handler: async ({ db }, { count, description }) => ({
    data: await createInvitations(db, count, description ?? null),
  }),
});

/** Served as plain text `true`/`false` (invitations.routes.ts); `valid` says whether registering with it would pass the gate. */
const checkInvitationToken = defineMethod({
  id: "auth.invitationTokenCheck",
  result: invitationCheckResult,
  resultMedia: "text",
  scope: "service",
  params: z.object({ invitationtoken: z.string().max(LIMITS.shortText).optional() }),
  permission: PUBLIC,
  writes: false,
  httpOnly: true,
  handler: async ({ db, config }, { invitationtoken }) => ({
    valid: await isInvitationTokenValid(db, config, invitationtoken),
  }),
});

export const invitationsMethods = [listInvitationsMethod, createInvitationsMethod, checkInvitationToken];
