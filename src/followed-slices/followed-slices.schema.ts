/** Params of the followedSlices methods and the FollowedSlice API shape (as the reference's v1 schema). */
import { z } from "zod";
import { LIMITS } from "../shared/limits";
import { MAX_URL_LENGTH } from "../webhooks/url-policy";

const name = z.string().min(1).max(LIMITS.shortText);
const id = z.string().min(1).max(LIMITS.shortText);

export const followedSliceCreateParams = z.strictObject({
  name,
  url: z.string().min(1).max(MAX_URL_LENGTH),
  accessToken: z.string().min(1).max(LIMITS.shortText),
});

export const followedSliceIdParams = z.strictObject({ id });

/** As the reference: only the name changes; url and token are fixed at creation. */
export const followedSliceUpdateParams = z.strictObject({
  id,
  update: z.strictObject({ name: name.optional() }),
});

export interface ApiFollowedSlice {
  id: string;
  name: string;
  url: string;
  accessToken: string;
}

// Results (what the handlers return; `meta` is added by the HTTP layer).

export const followedSliceResult = z
  .strictObject({ id: z.string(), name: z.string(), url: z.string(), accessToken: z.string() })
  .meta({ id: "FollowedSlice", description: "Another account's URL and access token, kept in this account." });

export const followedSlicesGetResult = z.strictObject({ followedSlices: z.array(followedSliceResult) });
export const followedSliceResultBody = z.strictObject({ followedSlice: followedSliceResult });
export const followedSliceDeleteResult = z.strictObject({ followedSliceDeletion: z.strictObject({ id: z.string() }) });
