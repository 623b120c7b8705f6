/**
 * The error ids each operation can answer, with their statuses: what every
 * call can meet (by verb, scope and permission) plus each method's own ids.
 * The conformance hook (test/setup/openapi-responses.ts) fails any test that
 * receives an id not listed here, so the table stays true as the code moves.
 */
import { errorStatuses, type ErrorId } from "../errors";
import type { MethodDefinition } from "../methods/method";

/** An id at its usual status, or at one it is also answered with. */
export type ErrorEntry = ErrorId | readonly [ErrorId, number];

/** Each method's own ids, beyond what every method of its kind answers (checked against every answer of the suite). */
const METHOD_ERRORS: Record<string, readonly ErrorEntry[]> = {
  "streams.get": ["unknown-referenced-resource"],
  "streams.create": ["invalid-operation", "invalid-item-id", "item-already-exists", "unknown-referenced-resource"],
  "streams.update": ["invalid-operation", "item-already-exists", "unknown-referenced-resource"],
  "streams.delete": ["invalid-operation"],
  "events.get": ["invalid-operation", "unknown-referenced-resource", "too-many-results"],
  "events.getOne": ["unknown-referenced-resource"],
  "events.create": ["invalid-operation", "invalid-item-id", "invalid-event-type", "item-already-exists", "unknown-referenced-resource", ["invalid-request-structure", 413]],
  "events.update": ["invalid-operation", "invalid-event-type", "unknown-referenced-resource"],
  "events.delete": ["invalid-operation"],
  "events.addAttachment": ["invalid-operation"],
  "events.deleteAttachment": ["invalid-operation"],
  "accesses.create": ["invalid-operation", "invalid-item-id", "item-already-exists", "unknown-referenced-resource"],
  "accesses.update": ["invalid-operation", "invalid-item-id", "item-already-exists", "unknown-referenced-resource"],
  "accesses.delete": ["invalid-operation"],
  "accesses.checkApp": ["invalid-operation"],
  "auth.login": ["invalid-credentials", "invalid-operation", "too-many-requests", "forbidden"],
  "account.update": ["invalid-operation", "item-already-exists"],
  "account.changePassword": ["invalid-operation", "invalid-credentials", "too-many-requests"],
  "account.requestPasswordReset": ["invalid-access-token", "invalid-credentials", "invalid-operation", "too-many-requests"],
  "account.resetPassword": ["invalid-access-token", "invalid-credentials", "invalid-operation", "too-many-requests"],
  "profile.getApp": ["invalid-operation"],
  "profile.updateApp": ["invalid-operation"],
  "webhooks.create": ["item-already-exists", "unknown-referenced-resource"],
  "webhooks.update": ["item-already-exists", "unknown-referenced-resource"],
  "webhooks.test": ["unknown-referenced-resource"],
  "followedSlices.create": ["item-already-exists"],
  "followedSlices.update": ["item-already-exists"],
  "mfa.activate": ["invalid-operation", "invalid-credentials", "too-many-requests"],
  "mfa.confirm": ["invalid-access-token", ["invalid-access-token", 403], "invalid-operation", "forbidden", "too-many-requests"],
  "mfa.challenge": ["invalid-access-token", ["invalid-access-token", 403], "invalid-operation", "forbidden", "too-many-requests"],
  "mfa.verify": ["invalid-access-token", ["invalid-access-token", 403], "invalid-operation", "forbidden", "too-many-requests"],
  "mfa.deactivate": ["invalid-operation"],
  "mfa.recover": ["invalid-credentials", "invalid-operation", "forbidden", "too-many-requests"],
  "system.deactivateMfa": ["invalid-operation"],
  "auth.register": ["item-already-exists", "invalid-operation", "forbidden", "invalid-parameters", "wrong-core"],
  "auth.usernameCheck": ["item-already-exists", "invalid-operation"],
  "auth.emailCheck": ["item-already-exists", "invalid-operation"],
  "auth.usernameForEmail": ["unknown-email"],
  "auth.userServer": ["unknown-user"],
  "auth.cores": ["unknown-resource", "unknown-email"],
  "auth.delete": ["unknown-resource"],
  "apps.getOne": ["unknown-resource"],
  "admin.getUser": ["unknown-resource", "unknown-user"],
  "admin.serverUsers": ["unknown-resource"],
  "admin.renameServer": ["unknown-resource", "invalid-parameters", "invalid-operation"],
  "admin.createInvitations": ["invalid-parameters", "invalid-operation"],
  "admin.setDnsRecord": ["invalid-parameters", "invalid-operation"],
  "admin.deleteDnsRecord": ["invalid-parameters", "unknown-resource"],
  "admin.getTrail": ["invalid-parameters"],
  "accessRequests.create": ["invalid-parameters", "forbidden"],
  "accessRequests.poll": ["unknown-access-key", "invalid-parameters"],
  "accessRequests.update": ["unknown-access-key", "invalid-parameters", "forbidden"],
};

/** Ids answered for operations that are not a method binding (batch, sockets, downloads). */
export const ROUTE_ERRORS: Record<string, readonly ErrorEntry[]> = {};

export interface OperationTraits {
  verb: string;
  method: MethodDefinition | null;
  /** The route's own extra ids. */
  extra?: readonly ErrorEntry[];
}

/** status → ids, for one operation. */
export function operationErrors({ verb, method, extra = [] }: OperationTraits): Map<number, Set<string>> {
  // `unexpected-error` (500): a failure of the platform itself (storage), logged under the `correlationId` it carries.
  const entries: ErrorEntry[] = ["api-unavailable", "unexpected-error", "invalid-parameters-format", "invalid-request-structure"];
  if (verb === "post" || verb === "put") entries.push(["invalid-request-structure", 413], "unsupported-content-type");
  if (method) {
    if (method.scope === "account") entries.push("unknown-resource", "wrong-core");
    const permission = method.permission;
    if (permission.kind !== "public") entries.push("invalid-access-token", ["invalid-access-token", 403], "forbidden");
    entries.push(...(METHOD_ERRORS[method.id] ?? []));
  }
  entries.push(...extra);
  const byStatus = new Map<number, Set<string>>();
  for (const entry of entries) {
    const [id, status] = typeof entry === "string" ? [entry, errorStatuses[entry]] : entry;
    if (!byStatus.has(status)) byStatus.set(status, new Set());
    byStatus.get(status)!.add(id);
  }
  return byStatus;
}
