/**
 * Followed slices (the Pryv FAQ): another account's url and access token the
 * person keeps in their own account — a doctor keeping the tokens to their
 * patients' accounts. Personal tokens only, as the reference. The stored
 * tokens are answered only to followedSlices.get/create/update: errors never
 * quote them (the trail of use records no params, the logs no values).
 */
import { z } from "zod";
import { isUniqueViolation } from "../account/account.store";
import { ApiError, errors } from "../errors";
import { defineMethod, PERSONAL_ONLY, type MethodContext } from "../methods/method";
import { newId } from "../shared/ids";
import {
  followedSliceCreateParams,
  followedSliceIdParams,
  followedSliceUpdateParams,
  followedSliceDeleteResult,
  followedSliceResultBody,
  followedSlicesGetResult,
} from "./followed-slices.schema";
import {
  conflictOf,
  deleteFollowedSliceRow,
  findFollowedSlice,
  insertFollowedSlice,
  listFollowedSlices,
  toApiFollowedSlice,
  updateFollowedSliceRow,
  type FollowedSliceRecord,
} from "./followed-slices.store";

const RESOURCE = "followed slice";

/** The reference's `item-already-exists`; a url-and-token clash names the url only, never the token. */
function conflictError(kind: "name" | "url-token", slice: { name?: string; url?: string }): ApiError {
  if (kind === "name") return errors.itemAlreadyExists(RESOURCE, { name: slice.name });
  return new ApiError("item-already-exists", "A followed slice with this url and access token already exists", {
    data: { url: slice.url },
  });
}

async function assertNoConflict(ctx: MethodContext, slice: { name?: string; url?: string; accessToken?: string }, exceptId?: string) {
  const kind = await conflictOf(ctx.db, ctx.user!.id, slice, exceptId);
  if (kind) throw conflictError(kind, slice);
}

/** Runs a write; a unique index hit by a concurrent path (none under the lock, but the index is the rule) is a 409. */
async function guarded(write: () => Promise<unknown>, slice: { name?: string; url?: string }) {
  try {
    await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflictError("name", slice);
    throw err;
  }
}

async function existing(ctx: MethodContext, id: string): Promise<FollowedSliceRecord> {
  const slice = await findFollowedSlice(ctx.db, ctx.user!.id, id);
  if (!slice) throw errors.unknownResource(RESOURCE, id);
  return slice;
}

const get = defineMethod({
  id: "followedSlices.get",
  result: followedSlicesGetResult,
  scope: "account",
  params: z.object({}),
  permission: PERSONAL_ONLY,
  writes: false,
  handler: async (ctx) => ({ followedSlices: (await listFollowedSlices(ctx.db, ctx.user!.id)).map(toApiFollowedSlice) }),
});

const create = defineMethod({
  id: "followedSlices.create",
  result: followedSliceResultBody,
  scope: "account",
  params: followedSliceCreateParams,
  permission: PERSONAL_ONLY,
  writes: true,
  status: 201,
  handler: async (ctx, p) => {
    await assertNoConflict(ctx, p);
    const time = (await ctx.writer!.stamp()).time;
    const row: FollowedSliceRecord = { userId: ctx.user!.id, id: newId(), ...p, created: time, modified: time };
    await guarded(() => insertFollowedSlice(ctx.db, row).run(), p);
    return { followedSlice: toApiFollowedSlice(row) };
  },
});

const update = defineMethod({
  id: "followedSlices.update",
  result: followedSliceResultBody,
  scope: "account",
  params: followedSliceUpdateParams,
  permission: PERSONAL_ONLY,
  writes: true,
  handler: async (ctx, { id, update: changes }) => {
    const slice = await existing(ctx, id);
    if (changes.name === undefined || changes.name === slice.name) return { followedSlice: toApiFollowedSlice(slice) };
    await assertNoConflict(ctx, { name: changes.name }, slice.id);
    const set = { name: changes.name, modified: (await ctx.writer!.stamp()).time };
    await guarded(() => updateFollowedSliceRow(ctx.db, ctx.user!.id, slice.id, set).run(), changes);
    return { followedSlice: toApiFollowedSlice({ ...slice, ...set }) };
  },
});

const del = defineMethod({
  id: "followedSlices.delete",
  result: followedSliceDeleteResult,
  scope: "account",
  params: followedSliceIdParams,
  permission: PERSONAL_ONLY,
  writes: true,
  handler: async (ctx, { id }) => {
    const slice = await existing(ctx, id);
    await deleteFollowedSliceRow(ctx.db, ctx.user!.id, slice.id).run();
    return { followedSliceDeletion: { id: slice.id } };
  },
});

export const followedSlicesMethods = [get, create, update, del];
