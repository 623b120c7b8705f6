/** Params of the accesses methods, and the Access type. */
import { z } from "zod";
import { LEVELS } from "../permissions/access-logic";
import { booleanParam } from "../methods/param-types";
import { LIMITS, withinBytes } from "../shared/limits";

/** Characters the reference refuses in permission stream ids. */
const FORBIDDEN_IN_STREAM_ID = /["\0\b\t\n\r\x1a'\\]/;

const streamPermission = z.strictObject({
  streamId: z
    .string()
    .min(1)
    .max(256)
    .refine((id) => !FORBIDDEN_IN_STREAM_ID.test(id), "forbidden character in streamId"),
  level: z.enum(LEVELS as [string, ...string[]]),
  // Names for streams to create (accesses.create by a personal token) or shown on a consent screen.
  defaultName: z.string().regex(/\w+/, "must contain a word character").max(256).optional(),
  name: z.string().max(256).optional(),
});

const featurePermission = z.strictObject({
  feature: z.string().min(1).max(64),
  setting: z.enum(["allowed", "forbidden"]),
});

export const permissionsParam = z.array(z.union([streamPermission, featurePermission])).max(1000);
export type PermissionInput = z.output<typeof permissionsParam>[number];

const clientData = withinBytes(z.record(z.string(), z.unknown()), LIMITS.jsonBytes);
const id = z.string().min(1).max(LIMITS.shortText);

export const accessCreateParams = z
  .strictObject({
    name: z.string().trim().min(1).max(256),
    type: z.enum(["personal", "app", "shared"]).default("shared"),
    permissions: permissionsParam.optional(),
    token: z.string().min(1).max(256).optional(),
    expireAfter: z.number().max(100 * 365 * 24 * 3600).optional(),
    deviceName: z.string().min(1).max(256).optional(),
    clientData: clientData.optional(),
  })
  .refine((p) => p.type === "personal" || p.permissions !== undefined, {
    message: "permissions are required for app and shared accesses",
    path: ["permissions"],
  })
  .refine((p) => !(p.type === "shared" && p.deviceName !== undefined), {
    message: "shared accesses have no deviceName",
    path: ["deviceName"],
  });
export type AccessCreateParams = z.output<typeof accessCreateParams>;

export const accessUpdateParams = z.strictObject({
  id,
  update: z.strictObject({
    name: z.string().trim().min(1).max(256).optional(),
    deviceName: z.string().min(1).max(256).nullable().optional(),
    permissions: permissionsParam.optional(),
    expireAfter: z.number().max(100 * 365 * 24 * 3600).optional(),
    expires: z.null().optional(),
    clientData: clientData.nullable().optional(),
  }),
});

export const accessesGetParams = z.strictObject({
  includeExpired: booleanParam.optional(),
  includeDeletions: booleanParam.optional(),
});

export const accessGetOneParams = z.strictObject({ id });
export const accessDeleteParams = z.strictObject({ id });

export const checkAppParams = z.strictObject({
  requestingAppId: z.string().min(1).max(256),
  deviceName: z.string().min(1).max(256).optional(),
  requestedPermissions: permissionsParam,
  clientData: clientData.optional(),
});

export interface ApiAccess {
  id: string;
  token: string;
  type: "personal" | "app" | "shared";
  name: string;
  deviceName?: string | null;
  permissions: unknown[];
  expires?: number;
  lastUsed?: number;
  calls?: Record<string, number>;
  clientData?: Record<string, unknown>;
  created: number;
  createdBy: string;
  modified: number;
  modifiedBy: string;
  apiEndpoint?: string;
  deleted?: number;
}
