/** The register: account creation and the directory of accounts (which core hosts whom). */
import { and, eq, isNotNull, lte, or, sql } from "drizzle-orm";
import { z } from "zod";
import { insertAccountFieldEvents, isUniqueViolation, userIdOf } from "../account/account.store";
import { assertPasswordComplexity } from "../account/password-rules";
import { insertPersonalAccess } from "../accesses/accesses.store";
import type { Config } from "../config";
import { runBatch, type Db } from "../db/client";
import type { Env } from "../env";
import { users } from "../db/schema";
import { ApiError, errors } from "../errors";
import { defineMethod, PUBLIC } from "../methods/method";
import { hashPassword } from "../shared/crypto";
import { newId, newToken } from "../shared/ids";
import { apiEndpoint } from "../service/service-info";
import { emailIsTaken, findActiveByEmail, findActiveEntry, findLiveEntry } from "./directory";
import { registerClient, type RegisterClient } from "./register-client";
import { isReservedUsername } from "./reserved-usernames";
import { LIMITS } from "../shared/limits";
import {
  emailSchema,
  registrationError,
  registrationParams,
  usernameSchema,
  appGetOneResult,
  appsGetResult,
  coresResult,
  emailCheckResult,
  hostingsResult,
  registrationResult,
  userServerResult,
  usernameCheckResult,
  usernameForEmailResult,
  type RegistrationParams,
} from "./register.schema";

/** Public base URL of a core, without trailing slash. */
function coreUrl(config: Config, core: string): string {
  return config.cores[core] ?? config.publicUrl;
}

/** The core named for an unknown email: always the same one, so the answer tells nothing. */
function defaultCore(config: Config): string {
  return config.cores[config.coreId] ? config.coreId : (Object.keys(config.cores)[0] ?? config.coreId);
}

/**
 * Local half-accounts (created, never confirmed by the register: a crash, or a
 * failed confirmation) that stand in this registration's way: one of this
 * username (the account's Durable Object serialises us with it), or one of this
 * email whose reservation has expired. None was ever acknowledged to anyone:
 * they are deleted, and their directory entries released.
 */
async function reclaimHalfAccounts(db: Db, register: RegisterClient, p: RegistrationParams): Promise<void> {
  const stale = await db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(
      and(
        isNotNull(users.pendingUntil),
        or(eq(users.username, p.username), and(sql`lower(${users.email}) = lower(${p.email})`, lte(users.pendingUntil, Date.now() / 1000))),
      ),
    )
    .all();
  for (const half of stale) {
    await register.release(half.username);
    await db.delete(users).where(eq(users.id, half.id));
  }
}

/**
 * Local mode only (REGISTER_TEST_FAULTS=true, the tests' half-registrations): an email starting
 * with `fault-confirm-` fails the confirmation, one starting with `fault-crash-` stops before it
 * as a crash would (nothing cleaned up).
 */
function testFault(env: Env, config: Config, email: string): "confirm" | "crash" | null {
  if (!config.isLocal || env.REGISTER_TEST_FAULTS !== "true") return null;
  return email.startsWith("fault-confirm-") ? "confirm" : email.startsWith("fault-crash-") ? "crash" : null;
}

function assertKnownHosting(config: Config, hosting: string | undefined): void {
  if (hosting === undefined) return;
  const regions = (config.hostings as { regions: Record<string, { zones?: Record<string, { hostings?: object }> }> })
    .regions;
  const known = Object.values(regions).some((region) =>
    Object.values(region.zones ?? {}).some((zone) => Object.hasOwn(zone.hostings ?? {}, hosting)),
  );
  if (!known) {
    throw errors.invalidParametersFormat(`Unknown hosting "${hosting}": see GET /reg/hostings.`, [
      { code: "hosting-invalid", message: "Unknown hosting", path: "#/hosting", param: "hosting" },
    ]);
  }
}

const register = defineMethod({
  id: "auth.register",
  result: registrationResult,
  scope: "service",
  params: registrationParams,
  invalidParams: registrationError,
  permission: PUBLIC,
  // Runs in the new account's Durable Object: two registrations of one username are serialised there.
  writes: true,
  accountOf: (p) => p.username,
  status: 201,
  handler: async ({ db, config, writer, env }, p) => {
    if (!writer) throw new Error("auth.register must run in the account's Durable Object");
    if (config.role === "register") {
      throw errors.invalidOperation("Accounts are created on a core: POST {availableCore}users (see /reg/hostings).");
    }
    assertKnownHosting(config, p.hosting);
    assertPasswordComplexity(config, p.password);
    if (isReservedUsername(p.username, config.extraReservedUsernames)) {
      throw errors.itemAlreadyExists("user", { username: p.username });
    }
    const register = registerClient(env, config, db);
    await reclaimHalfAccounts(db, register, p);
    // Global uniqueness is the register's (409 naming the fields); the invitation is claimed there too.
    const { reservedUntil } = await register.reserve({ username: p.username, email: p.email, invitationToken: p.invitationToken });

    const passwordHash = await hashPassword(p.password);
    const stamp = await writer.stamp();
    const token = newToken();
    const userId = userIdOf(p.username);
    try {
      await runBatch(db, [
        db.insert(users).values({
          username: p.username,
          email: p.email,
          passwordHash,
          passwordSet: stamp.time,
          language: p.language ?? "en",
          appId: p.appId,
          referer: p.referer ?? null,
          invitationToken: p.invitationToken ?? null,
          core: config.coreId,
          created: stamp.time,
          filesSecret: newToken(),
          // Unusable until the register confirms (src/accesses/authenticate.ts).
          pendingUntil: reservedUntil,
        }),
        insertPersonalAccess(
          db,
          userId,
          { id: newId(), token, name: p.appId, sessionExpires: stamp.time + config.sessionMaxAgeSeconds },
          stamp,
        ),
        ...(await insertAccountFieldEvents(
          db,
          userId,
          {
            language: p.language ?? "en",
            appId: p.appId,
            invitationToken: p.invitationToken ?? "no-token",
            referer: p.referer ?? null,
            email: p.email,
            dbDocuments: 0,
            attachedFiles: 0,
          },
          stamp,
          "system",
        )),
      ]);
    } catch (err) {
      await register.release(p.username).catch(() => undefined); // else the reservation expires
      // This core holds the name or email outside the directory (the register lost an entry): report it.
      if (isUniqueViolation(err)) {
        const sameName = await db.select({ id: users.id }).from(users).where(eq(users.username, p.username)).get();
        throw errors.itemAlreadyExists("user", sameName ? { username: p.username } : { email: p.email });
      }
      throw err;
    }
    const fault = testFault(env, config, p.email);
    if (fault === "crash") throw errors.apiUnavailable("Simulated crash before the confirmation (REGISTER_TEST_FAULTS).");
    try {
      if (fault === "confirm") throw errors.apiUnavailable("Simulated register outage (REGISTER_TEST_FAULTS).");
      await register.confirm(p.username);
    } catch (err) {
      // Not confirmed: nothing was acknowledged, so nothing may remain (the release may fail too: then the
      // reservation expires, and the next registration of this name here reclaims whatever is left).
      await db.delete(users).where(eq(users.username, p.username));
      await register.release(p.username).catch(() => undefined);
      throw err instanceof ApiError && err.id !== "unknown-resource"
        ? err
        : errors.apiUnavailable("The register did not confirm the account: try again.");
    }
    await db.update(users).set({ pendingUntil: null }).where(eq(users.username, p.username));
    writer.loginGuard.reset();
    return { username: p.username, apiEndpoint: apiEndpoint(config, p.username, token) };
  },
});

const usernameCheck = defineMethod({
  id: "auth.usernameCheck",
  result: usernameCheckResult,
  scope: "service",
  params: z.object({ username: usernameSchema }),
  invalidParams: registrationError,
  permission: PUBLIC,
  writes: false,
  handler: async ({ db, config }, { username }) => {
    if (await findLiveEntry(db, username)) return { reserved: true, reason: "taken" };
    if (isReservedUsername(username, config.extraReservedUsernames)) return { reserved: true, reason: "reserved" };
    return { reserved: false };
  },
});

const emailCheck = defineMethod({
  id: "auth.emailCheck",
  result: emailCheckResult,
  scope: "service",
  params: z.object({ email: emailSchema }),
  invalidParams: registrationError,
  permission: PUBLIC,
  writes: false,
  handler: async ({ db }, { email }) => {
    if (await emailIsTaken(db, email)) throw errors.itemAlreadyExists("user", { email });
    return { reserved: false };
  },
});

const usernameForEmail = defineMethod({
  id: "auth.usernameForEmail",
  result: usernameForEmailResult,
  scope: "service",
  params: z.object({ email: z.string().max(LIMITS.shortText) }),
  permission: PUBLIC,
  writes: false,
  handler: async ({ db }, { email }) => {
    const user = await findActiveByEmail(db, email);
    if (!user) throw new ApiError("unknown-email", "Unknown email", { data: { email } });
    return { username: user.username, uid: user.username };
  },
});

const userServer = defineMethod({
  id: "auth.userServer",
  result: userServerResult,
  scope: "service",
  params: z.object({ username: z.string().max(LIMITS.shortText) }),
  permission: PUBLIC,
  writes: false,
  handler: async ({ db, config }, { username }) => {
    const user = await findActiveEntry(db, username.toLowerCase());
    if (!user) throw new ApiError("unknown-user", `Unknown user "${username}"`, { data: { username } });
    return {
      server: coreUrl(config, user.core),
      alias: config.domain ? `${user.username}.${config.domain}` : user.username,
    };
  },
});

const cores = defineMethod({
  id: "auth.cores",
  result: coresResult,
  scope: "service",
  params: z
    .object({ username: z.string().min(1).optional(), email: z.string().min(1).optional() })
    .refine((p) => (p.username === undefined) !== (p.email === undefined), {
      message: 'Provide either "username" or "email" as query parameter, not both.',
    }),
  permission: PUBLIC,
  writes: false,
  handler: async ({ db, config }, p) => {
    if (p.username !== undefined) {
      const user = await findActiveEntry(db, p.username);
      if (!user) throw errors.unknownResource("user", p.username);
      // As the reference: the user's API root on the core hosting them.
      const url = config.domain
        ? apiEndpoint(config, user.username)
        : `${coreUrl(config, user.core)}/${user.username}/`;
      return { core: { url } };
    }
    // Known or not, an email gets a core: the answer must not tell whether it is registered.
    const user = await findActiveByEmail(db, p.email ?? "");
    return { core: { url: `${coreUrl(config, user?.core ?? defaultCore(config))}/` } };
  },
});

const hostings = defineMethod({
  id: "auth.hostings",
  result: hostingsResult,
  scope: "service",
  params: z.object({}).loose(),
  permission: PUBLIC,
  writes: false,
  handler: async ({ config }) => config.hostings as object,
});

const appsList = defineMethod({
  id: "apps.get",
  result: appsGetResult,
  scope: "service",
  params: z.object({}).loose(),
  permission: PUBLIC,
  writes: false,
  handler: async ({ config }) => ({ apps: config.apps }),
});

const appsGetOne = defineMethod({
  id: "apps.getOne",
  result: appGetOneResult,
  scope: "service",
  params: z.object({ id: z.string().max(LIMITS.shortText) }),
  permission: PUBLIC,
  writes: false,
  handler: async ({ config }, { id }) => {
    const app = config.apps.find((a) => a.id === id);
    if (!app) throw errors.unknownResource("app", id);
    return { app };
  },
});

export const registerMethods = [
  register,
  usernameCheck,
  emailCheck,
  usernameForEmail,
  userServer,
  cores,
  hostings,
  appsList,
  appsGetOne,
];
