/**
 * The one permission module: every method call is checked here before its
 * handler runs (method gating), and handlers ask it about streams and events
 * (`permissionsOf(ctx)`); no call site re-implements a rule.
 */
import { getSystemStream, SYSTEM_STREAMS } from "../account/system-streams";
import type { AccessRecord } from "../accesses/accesses.store";
import type { Config } from "../config";
import { errors } from "../errors";
import type { CallerInfo, MethodContext, MethodDefinition } from "../methods/method";
import { timingSafeEqualStrings } from "../shared/crypto";
import type { StreamTree } from "../streams/stream-tree";
import type { StreamRow } from "../streams/streams.store";
import { AccessLogic, AUDIT_PREFIX, grants, type Capability, type ParentOf, type Permission } from "./access-logic";

/** Every audit stream hangs from `:_audit:` (a permission there reads the whole trail). */
const auditParent = (id: string) => (id.startsWith(AUDIT_PREFIX) && id !== AUDIT_PREFIX ? AUDIT_PREFIX : undefined);

/** Below this length a key is too weak for an admin API reachable from a network (a local node may be). */
const MIN_ADMIN_KEY_LENGTH = 24;

/**
 * The admin API works only with a strong ADMIN_KEY, in every mode.
 *
 * Choice (hardening issue, item 9): no development key any more. It used to be
 * accepted "on loopback", judged from the Host — which the client writes. Nothing
 * else in a request can vouch for where it came from: under `wrangler dev`,
 * miniflare's entry worker sets `CF-Connecting-IP` from the socket only when the
 * client sent none (a sent one is kept), and takes `request.cf` from a
 * client-sent `MF-CF-Blob` header, else from a fixed default; `X-Forwarded-For`
 * and `Forwarded` are plain client headers. So the key itself is the gate: a
 * secret (locally in `.dev.vars`, which `npm start` fills with a random key),
 * at least MIN_ADMIN_KEY_LENGTH characters long — which also refuses the former
 * published `dev-admin-key` wherever an old configuration still names it.
 */
function assertAdmin(config: Config, key: string | null): void {
  const configured = config.adminKey;
  if (!configured) {
    throw errors.apiUnavailable(
      `The admin API is disabled: set the ADMIN_KEY secret${config.isLocal ? " (locally in .dev.vars; `npm start` writes a random one)" : ""}.`,
    );
  }
  if (configured.length < MIN_ADMIN_KEY_LENGTH) {
    throw errors.apiUnavailable(
      `The admin API is disabled: ADMIN_KEY must be a secret of at least ${MIN_ADMIN_KEY_LENGTH} characters.`,
    );
  }
  if (!key) throw errors.invalidAccessToken('The admin key is missing: expected it in the "Authorization" header.');
  if (!timingSafeEqualStrings(key, configured)) throw errors.forbidden("Invalid admin key.");
}

/**
 * True when `key` is the admin key and the admin API is usable. (`_caller` is
 * no longer consulted — see assertAdmin; kept so call sites need not change.)
 */
export function isAdminKey(config: Config, key: string | null, _caller?: CallerInfo): boolean {
  try {
    assertAdmin(config, key);
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
  if (rule.kind === "admin") return assertAdmin(context.config, context.token);
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
      const tree = await ctx.streamTree();
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

/** A deleted stream, as its deletion record keeps it: id, and its ancestors when deleted (null: not recorded). */
export interface DeletedStreamPlace {
  id: string;
  formerAncestors: readonly string[] | null;
}

/**
 * Whether the access has `capability` on a deleted stream where it was: the
 * rule for live streams (own entry, else the nearest ancestor's, else `*`)
 * along the recorded ancestry, the tree no longer holding deleted streams.
 * No recorded place (deletion records older than migration 0005): personal
 * accesses only — the safe choice, as nothing tells who could see it.
 */
export function canWhereDeleted(logic: AccessLogic, capability: Capability, stream: DeletedStreamPlace): boolean {
  if (logic.personal) return true;
  return stream.formerAncestors !== null && grants(logic.levelAlong([stream.id, ...stream.formerAncestors]), capability);
}

/** The streams the access may read events of: the account's (live) and the system streams. */
export function readableStreams({ logic, tree }: Permissions): string[] {
  return [...tree.all().map((s) => s.id), ...SYSTEM_STREAMS.map((s) => s.id)].filter((id) => logic.can("read", id));
}

/**
 * The streams the access may read events of, deleted ones included: an event
 * is readable through one of its streams (the rule of events.get), a live one
 * judged where it is now, a deleted one where it was. Past versions and
 * deletion records of events may name deleted streams (an event deleted with
 * its stream was in deleted streams only); `deleted`: the stream deletion
 * records to consider. A stream neither live nor among them (a deletion
 * record older than migration 0005, or none at all) is not readable — never
 * judged by `*` alone — and an event deletion record of no stream (`[]`, older
 * than migration 0005) thus reaches personal accesses only.
 */
export function readableStreamsWithDeleted(perms: Permissions, deleted: readonly DeletedStreamPlace[]): string[] {
  const formerly = deleted.filter((s) => canWhereDeleted(perms.logic, "read", s)).map((s) => s.id);
  return [...readableStreams(perms), ...formerly];
}

/**
 * Whether the access could read an event filed under `streamIds` in a past
 * state of the tree (the rule of events.get, applied then): `pathOf(id)` is
 * the stream and its ancestors then, nearest first, or null when its place is
 * unknown — such a stream is not readable, never judged by `*` alone.
 */
export function couldReadThen(
  logic: AccessLogic,
  streamIds: readonly string[],
  pathOf: (streamId: string) => readonly string[] | null,
): boolean {
  if (logic.personal) return true;
  return streamIds.some((id) => {
    const path = pathOf(id);
    return path !== null && grants(logic.levelAlong(path), "read");
  });
}
