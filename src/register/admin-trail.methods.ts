/** Reading the admin trail (`GET /reg/admin/trail`, see admin-trail.ts). */
import { z } from "zod";
import { ADMIN, defineMethod } from "../methods/method";
import { readAdminTrail } from "./admin-trail";
import { adminTrailResult } from "./admin.schema";

const getTrail = defineMethod({
  id: "admin.getTrail",
  result: adminTrailResult,
  scope: "service",
  params: z.object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** Seconds since the epoch, as every time of the API. */
    since: z.coerce.number().finite().min(0).optional(),
  }),
  permission: ADMIN,
  writes: false,
  handler: async ({ db }, params) => ({ trail: await readAdminTrail(db, params) }),
});

export const adminTrailMethods = [getTrail];
