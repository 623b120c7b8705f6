/**
 * The one permission module: every method call is checked here before its
 * handler runs (method gating), and handlers ask it about streams and events
 * (`permissionsOf(ctx)`); no call site re-implements a rule.
 */
import { getSystemStream } from "../account/system-streams";
import type { AccessRecord } from "../accesses/accesses.store";
import { DEV_ADMIN_KEY, type Config } from "../config";
import { errors } from "../errors";
import type { CallerInfo, MethodContext, MethodDefinition } from "../methods/method";
import { timingSafeEqualStrings } from "../shared/crypto";
import type { StreamTree } from "../streams/stream-tree";
import { loadStreamTree, type StreamRow } from "../streams/streams.store";
import { AccessLogic, AUDIT_PREFIX, type Capability, type ParentOf, type Permission } from "./access-logic";

/** Every audit stream hangs from `:_audit:` (a permission there reads the whole trail). */
const auditParent = (id: string) => (id.startsWith(AUDIT_PREFIX) && id !== AUDIT_PREFIX ? AUDIT_PREFIX : undefined);

/** Below this length a key is too weak for an admin API reachable from the internet. */
const MIN_ADMIN_KEY_LENGTH = 24;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * The admin API works only with a strong ADMIN_KEY — except in local mode,
 * where the development key is accepted on loopback addresses only.
 */
function assertAdmin(config: Config, key: string | null, caller: CallerInfo): void {
  const configured = config.adminKey;
  if (!configured) throw errors.apiUnavailable("The admin API is disabled: set the ADMIN_KEY secret.");
  const devKey = configured === DEV_ADMIN_KEY;
  if ((devKey && !(config.isLocal && LOOPBACK.test(caller.host))) || (!devKey && configured.length < MIN_ADMIN_KEY_LENGTH)) {
    throw errors.apiUnavailable(
      `The admin API is disabled: ADMIN_KEY must be a secret of at least ${MIN_ADMIN_KEY_LENGTH} characters (the development key only works locally).`,
    );
  }
  if (!key) throw errors.invalidAccessToken('The admin key is missing: expected it in the "Authorization" header.');
  if (!timingSafeEqualStrings(key, configured)) throw errors.forbidden("Invalid admin key.");
}

/** True when `key` is the admin key and the admin API is usable from here. */
export function isAdminKey(config: Config, key: string | null, caller: CallerInfo): boolean {
  try {
    assertAdmin(config, key, caller);
    return true;
  } catch {
    return false;
  }
}

/** Throws unless the caller may call `method` at all (token type, admin key). */
export function assertMethodAllowed(
  method: MethodDefinition,
  access: AccessRecord | null,
  context: { config: Config; token: string | null; caller: CallerInfo },
): void {
  const rule = method.permission;
  if (rule.kind === "public") return;
  if (rule.kind === "admin") return assertAdmin(context.config, context.token, context.caller);
  if (rule.kind === "personal-or-admin") {
    if (access?.type === "personal" || (!access && isAdminKey(context.config, context.token, context.caller))) return;
    throw errors.forbidden("Deleting an account takes its personal token or the admin key.");
  }
  if (!access && rule.optional && !context.token) return;
  if (!access || !rule.types.includes(access.type)) {
    throw errors.forbidden(`You cannot access ${method.id} resource using the given access.`);
  }
}

export interface Permissions {
  logic: AccessLogic;
  tree: StreamTree<StreamRow>;
  /** Parent of any stream id: the account's streams, system streams, audit streams. */
  parentOf: ParentOf;
}

const cached = new WeakMap<MethodContext, Promise<Permissions>>();

/** The calling access's permissions over the account's streams (the tree from the account's DO when writing). */
export function permissionsOf(ctx: MethodContext): Promise<Permissions> {
  let loading = cached.get(ctx);
  if (!loading) {
    loading = (async () => {
      const tree = ctx.writer ? await ctx.writer.streamTree(ctx.user!.id) : await loadStreamTree(ctx.db, ctx.user!.id);
      const access = ctx.access!;
      const parentOf: ParentOf = (id) => tree.get(id)?.parentId ?? getSystemStream(id)?.parentId ?? auditParent(id);
      const logic = new AccessLogic(
        { id: access.id, type: access.type, permissions: JSON.parse(access.permissions) as Permission[] },
        parentOf,
      );
      return { logic, tree, parentOf };
    })();
    cached.set(ctx, loading);
  }
  return loading;
}

/** `forbidden` unless the access has `capability` on every one of `streamIds`. */
export function assertCanOnAll(logic: AccessLogic, capability: Capability, streamIds: readonly string[]): void {
  if (!streamIds.every((id) => logic.can(capability, id))) throw errors.forbidden();
}

/** `forbidden` unless the access has `capability` on at least one of `streamIds`. */
export function assertCanOnSome(logic: AccessLogic, capability: Capability, streamIds: readonly string[]): void {
  if (!streamIds.some((id) => logic.can(capability, id))) throw errors.forbidden();
}
