/** Params of the accesses methods, and the Access type. */
import { z } from "zod";
import { LEVELS } from "../permissions/access-logic";
import { booleanParam } from "../methods/param-types";
import { changeTracking, clientDataResult, itemDeletion, timestamp } from "../methods/result-parts";
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

// Results (what the handlers return; `meta` is added by the HTTP layer).

const level = z.enum(LEVELS as [string, ...string[]]);
const featurePermissionResult = z.strictObject({ feature: z.string(), setting: z.enum(["allowed", "forbidden"]) });

/** A permission as stored: on a stream (`*`: all), or a feature setting (`selfRevoke`…). */
export const permissionResult = z
  .union([z.strictObject({ streamId: z.string(), level }), featurePermissionResult])
  .meta({
    id: "Permission",
    description: "What an access may do: a level on a stream (and its descendants; `*` for all), or a feature setting.",
  });

/** A permission as asked (consent flow): with the name of a stream to create or of the existing one. */
export const requestedPermissionResult = z
  .union([
    z.strictObject({ streamId: z.string(), level, defaultName: z.string().optional(), name: z.string().optional() }),
    featurePermissionResult,
  ])
  .meta({
    id: "RequestedPermission",
    description: "A permission as an app asks for it: `defaultName` names a stream to create, `name` an existing one.",
  });

/** An access as toApiAccess emits it. */
export const accessResult = z
  .strictObject({
    id: z.string(),
    token: z.string(),
    type: z.enum(["personal", "app", "shared"]),
    name: z.string(),
    /** null for shared accesses; absent when an app access has none. */
    deviceName: z.string().nullable().optional(),
    permissions: z.array(permissionResult),
    expires: timestamp.optional(),
    lastUsed: timestamp.optional(),
    /** Calls per method (`events:get`…), in access-info only. */
    calls: z.record(z.string(), z.number()).optional(),
    clientData: clientDataResult.optional(),
    ...changeTracking,
    /** The access's connection string `https://{token}@…/`. */
    apiEndpoint: z.string().optional(),
    /** Deleted accesses only (`accessDeletions`). */
    deleted: timestamp.optional(),
  })
  .meta({
    id: "Access",
    description: "A token the person granted (personal: a login session; app; shared), with its permissions.",
  });

export const accessResultBody = z.strictObject({ access: accessResult });

/** `accessDeletions` (deleted accesses, whole) whenever `includeDeletions` was asked. */
export const accessesGetResult = z.strictObject({
  accesses: z.array(accessResult),
  accessDeletions: z.array(accessResult).optional(),
});

/** `relatedDeletions`: the accesses the deleted one had created, revoked with it. */
export const accessDeleteResult = z.strictObject({
  accessDeletion: itemDeletion,
  relatedDeletions: z.array(itemDeletion).optional(),
});

/** First use of a token from a new country or network (access-info of a personal token). */
const newOriginResult = z.strictObject({
  accessId: z.string(),
  accessName: z.string().nullable(),
  time: timestamp,
  country: z.string().nullable(),
  asn: z.number().nullable(),
  network: z.string().nullable(),
  method: z.string(),
});

/** The calling access itself, with its effective permissions, its calls and its account's name. */
export const accessInfoResult = accessResult
  .omit({ apiEndpoint: true })
  .extend({
    user: z.strictObject({ username: z.string() }),
    newOrigins: z.array(newOriginResult).optional(),
  })
  .meta({
    id: "AccessInfo",
    description: "The calling access, with its effective permissions, its calls per method and its account's username.",
  });

/**
 * `matchingAccess` when the app holds an access with exactly these permissions;
 * else the permissions checked against the account (and the app's other access, if any).
 */
export const checkAppResult = z.union([
  z.strictObject({ matchingAccess: accessResult }),
  z.strictObject({
    mismatchingAccess: accessResult.optional(),
    checkedPermissions: z.array(requestedPermissionResult),
    /** Set when proposed stream names had to change (`item-already-exists`); the call still succeeds. */
    error: z.strictObject({ id: z.literal("item-already-exists"), message: z.string() }).optional(),
  }),
]);
