/**
 * Profile sets: `public` (readable by any token), `private` (personal token
 * only) and `app` (one per app, reachable only with that app's tokens).
 */
import { z } from "zod";
import type { AccessRecord } from "../accesses/accesses.store";
import { errors } from "../errors";
import { ANY_ACCESS, defineMethod, PERSONAL_ONLY, type MethodContext } from "../methods/method";
import { assertWithinBytes, LIMITS } from "../shared/limits";
import { mergeProfile, readProfile, writeProfile } from "./profile.store";
import { profileResult } from "./profile.schema";

const profileUpdate = z.record(z.string(), z.unknown());

/** Reads the set, merges `update` into it and stores it; runs under the account's write lock. */
async function updateSet(ctx: MethodContext, profileId: string, update: Record<string, unknown>) {
  const current = await readProfile(ctx.db, ctx.user!.id, profileId);
  const merged = mergeProfile(current, update);
  assertWithinBytes("update", ["update"], merged, LIMITS.jsonBytes);
  await writeProfile(ctx.db, ctx.user!.id, profileId, merged);
  return { profile: merged };
}

/** The app profile set of an app access, keyed by the access's name (one per app). */
function appProfileId(access: AccessRecord | null): string {
  if (access?.type !== "app") throw errors.invalidOperation("This resource is only available to app accesses.");
  return `app:${access.name}`;
}

export const profileMethods = [
  defineMethod({
    id: "profile.getPublic",
    result: profileResult,
    scope: "account",
    params: z.object({}).loose(),
    permission: ANY_ACCESS,
    writes: false,
    handler: async ({ db, user }) => ({ profile: await readProfile(db, user!.id, "public") }),
  }),
  defineMethod({
    id: "profile.get",
    result: profileResult,
    scope: "account",
    params: z.object({ id: z.enum(["public", "private"]) }),
    permission: PERSONAL_ONLY,
    writes: false,
    handler: async ({ db, user }, { id }) => ({ profile: await readProfile(db, user!.id, id) }),
  }),
  defineMethod({
    id: "profile.update",
    result: profileResult,
    scope: "account",
    params: z.object({ id: z.enum(["public", "private"]), update: profileUpdate }),
    permission: PERSONAL_ONLY,
    writes: true,
    handler: async (ctx, { id, update }) => updateSet(ctx, id, update),
  }),
  defineMethod({
    id: "profile.getApp",
    result: profileResult,
    scope: "account",
    params: z.object({}).loose(),
    permission: ANY_ACCESS,
    writes: false,
    handler: async ({ db, user, access }) => ({ profile: await readProfile(db, user!.id, appProfileId(access)) }),
  }),
  defineMethod({
    id: "profile.updateApp",
    result: profileResult,
    scope: "account",
    params: z.object({ update: profileUpdate }),
    permission: ANY_ACCESS,
    writes: true,
    handler: async (ctx, { update }) => updateSet(ctx, appProfileId(ctx.access), update),
  }),
];
