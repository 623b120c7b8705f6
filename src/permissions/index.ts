/**
 * The one permission module: every method call is checked here before its
 * handler runs. (Stream-level rules join this module with the data API.)
 */
import { DEV_ADMIN_KEY, type Config } from "../config";
import { errors } from "../errors";
import type { AccessRecord } from "../accesses/accesses.store";
import type { CallerInfo, MethodDefinition } from "../methods/method";
import { timingSafeEqualStrings } from "../shared/crypto";

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
  if (!key) throw errors.invalidAccessToken("The admin key is missing: expected it in the \"Authorization\" header.");
  if (!timingSafeEqualStrings(key, configured)) throw errors.forbidden("Invalid admin key.");
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
  if (!access || !rule.types.includes(access.type)) {
    throw errors.forbidden(`You cannot access ${method.id} resource using the given access.`);
  }
}
