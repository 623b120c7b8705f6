/** The calling account and access, with the reference's errors for each way a token can be unusable. */
import { and, eq, isNull } from "drizzle-orm";
import type { UserRecord } from "../account/account.store";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { registerClient } from "../register/register-client";
import { accesses, users } from "../db/schema";
import { errors } from "../errors";
import type { AccessRecord } from "./accesses.store";
import { sessionIsOpen } from "./sessions";
import { forgetCaller, keepCaller, type CallerState } from "./caller-states";
import { createDb } from "../db/client";
import { nowSeconds } from "../shared/time";

/** The account named in the path: 404 when unknown, 421 when hosted on another core. */
function assertLocalUser(config: Config, username: string | null, user: UserRecord | undefined): UserRecord {
  // A half-registered account (not confirmed by the register, src/register/register.methods.ts) does not exist yet.
  if (!user || user.pendingUntil !== null) throw errors.unknownResource("user", username ?? "");
  if (user.core !== config.coreId) throw errors.wrongCore(`${config.cores[user.core] ?? config.publicUrl}/`);
  return user;
}

/** Throws unless `access` (found for `token`) may be used now. */
export function assertUsableAccess(access: AccessRecord | null | undefined, token: string | null, now: number): AccessRecord {
  if (!token) {
    throw errors.invalidAccessToken(
      'The access token is missing: expected an "Authorization" header or an "auth" query string parameter.',
    );
  }
  if (!access) throw errors.invalidAccessToken("Cannot find access from token.", 403);
  if (!sessionIsOpen(access, now)) throw errors.invalidAccessToken("Access session has expired.", 403);
  if (access.expires !== null && access.expires <= now) throw errors.forbidden("Access has expired.");
  return access;
}

/**
 * On a core (ROLE=core), an account this core does not have may be another core's:
 * the register's directory says which, and the answer is 421 naming it.
 */
async function assertNotElsewhere(env: Env | undefined, db: Db, config: Config, username: string | null, user: unknown) {
  if (user || !env || !username || config.role !== "core") return;
  const core = await registerClient(env, config, db)
    .coreOf(username)
    .catch(() => null); // the register unreachable: the account is unknown here, as it would be anyway
  if (core && core !== config.coreId && config.cores[core]) throw errors.wrongCore(`${config.cores[core]}/`);
}

export async function resolveUser(db: Db, config: Config, username: string | null, env?: Env): Promise<UserRecord> {
  const user = username ? await db.select().from(users).where(eq(users.username, username)).get() : undefined;
  await assertNotElsewhere(env, db, config, username, user);
  return assertLocalUser(config, username, user);
}

/** The account and the access of `token` in one query. */
export async function resolveUserAndAccess(
  db: Db,
  config: Config,
  username: string | null,
  token: string | null,
  now: number,
  env?: Env,
): Promise<{ user: UserRecord; access: AccessRecord }> {
  const row = username
    ? await db
        .select({ user: users, access: accesses })
        .from(users)
        .leftJoin(accesses, and(eq(accesses.userId, users.id), eq(accesses.token, token ?? ""), isNull(accesses.deleted)))
        .where(eq(users.username, username))
        .get()
    : undefined;
  await assertNotElsewhere(env, db, config, username, row?.user);
  const user = assertLocalUser(config, username, row?.user);
  return { user, access: assertUsableAccess(row?.access, token, now) };
}

/** The account and access of `token`, read now; this isolate keeps them for the next calls (caller-states.ts). */
export async function resolveCaller(
  env: Env,
  config: Config,
  username: string | null,
  token: string | null,
  db: Db = createDb(env.DB),
  now: number = nowSeconds(),
): Promise<CallerState> {
  try {
    const state: CallerState = await resolveUserAndAccess(db, config, username, token, now, env);
    keepCaller(username!, token!, state);
    return state;
  } catch (err) {
    forgetCaller(username, token);
    throw err;
  }
}
