/** The register: account creation and the directory of accounts (which core hosts whom). */
import { z } from "zod";
import {
  findUserByEmail,
  findUserByUsername,
  insertAccountFieldEvents,
  isUniqueViolation,
  userIdOf,
} from "../account/account.store";
import { assertPasswordComplexity } from "../account/password-rules";
import { insertPersonalAccess } from "../accesses/accesses.store";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { ApiError, errors } from "../errors";
import { defineMethod, PUBLIC } from "../methods/method";
import { hashPassword } from "../shared/crypto";
import { newId, newToken } from "../shared/ids";
import { apiEndpoint } from "../service/service-info";
import { claimInvitation } from "./invitations";
import { isReservedUsername } from "./reserved-usernames";
import { LIMITS } from "../shared/limits";
import {
  emailSchema,
  registrationError,
  registrationParams,
  usernameSchema,
  type RegistrationParams,
} from "./register.schema";

/** Public base URL of a core, without trailing slash. */
function coreUrl(config: Config, core: string): string {
  return config.cores[core] ?? config.publicUrl;
}

/** 409 naming every unique field already taken, as the reference reports them. */
async function assertAvailable(db: Db, config: Config, p: RegistrationParams): Promise<void> {
  if (isReservedUsername(p.username, config.extraReservedUsernames)) {
    throw errors.itemAlreadyExists("user", { username: p.username });
  }
  const [byName, byEmail] = await Promise.all([findUserByUsername(db, p.username), findUserByEmail(db, p.email)]);
  const conflicts: Record<string, string> = {};
  if (byName) conflicts.username = p.username;
  if (byEmail) conflicts.email = p.email;
  if (Object.keys(conflicts).length) throw errors.itemAlreadyExists("user", conflicts);
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
  scope: "service",
  params: registrationParams,
  invalidParams: registrationError,
  permission: PUBLIC,
  // Runs in the new account's Durable Object: two registrations of one username are serialised there.
  writes: true,
  accountOf: (p) => p.username,
  status: 201,
  handler: async ({ db, config, writer }, p) => {
    if (!writer) throw new Error("auth.register must run in the account's Durable Object");
    assertKnownHosting(config, p.hosting);
    assertPasswordComplexity(config, p.password);
    await assertAvailable(db, config, p);
    const invitation = await claimInvitation(db, config, p.invitationToken, p.username);

    const passwordHash = await hashPassword(p.password);
    const stamp = writer.stamp();
    const token = newToken();
    const userId = userIdOf(p.username);
    try {
      await db.batch([
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
      await invitation.release();
      // Another core/isolate took the email between the check and the insert: report it as the check would.
      if (isUniqueViolation(err)) {
        await assertAvailable(db, config, p);
        throw errors.itemAlreadyExists("user", { email: p.email });
      }
      throw err;
    }
    writer.loginGuard.reset();
    return { username: p.username, apiEndpoint: apiEndpoint(config, p.username, token) };
  },
});

const usernameCheck = defineMethod({
  id: "auth.usernameCheck",
  scope: "service",
  params: z.object({ username: usernameSchema }),
  invalidParams: registrationError,
  permission: PUBLIC,
  writes: false,
  handler: async ({ db, config }, { username }) => {
    if (await findUserByUsername(db, username)) return { reserved: true, reason: "taken" };
    if (isReservedUsername(username, config.extraReservedUsernames)) return { reserved: true, reason: "reserved" };
    return { reserved: false };
  },
});

const emailCheck = defineMethod({
  id: "auth.emailCheck",
  scope: "service",
  params: z.object({ email: emailSchema }),
  invalidParams: registrationError,
  permission: PUBLIC,
  writes: false,
  handler: async ({ db }, { email }) => {
    if (await findUserByEmail(db, email)) throw errors.itemAlreadyExists("user", { email });
    return { reserved: false };
  },
});

const usernameForEmail = defineMethod({
  id: "auth.usernameForEmail",
  scope: "service",
  params: z.object({ email: z.string().max(LIMITS.shortText) }),
  permission: PUBLIC,
  writes: false,
  handler: async ({ db }, { email }) => {
    const user = await findUserByEmail(db, email);
    if (!user) throw new ApiError("unknown-email", "Unknown email", { data: { email } });
    return { username: user.username, uid: user.username };
  },
});

const userServer = defineMethod({
  id: "auth.userServer",
  scope: "service",
  params: z.object({ username: z.string().max(LIMITS.shortText) }),
  permission: PUBLIC,
  writes: false,
  handler: async ({ db, config }, { username }) => {
    const user = await findUserByUsername(db, username.toLowerCase());
    if (!user) throw new ApiError("unknown-user", `Unknown user "${username}"`, { data: { username } });
    return {
      server: coreUrl(config, user.core),
      alias: config.domain ? `${user.username}.${config.domain}` : user.username,
    };
  },
});

const cores = defineMethod({
  id: "auth.cores",
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
      const user = await findUserByUsername(db, p.username);
      if (!user) throw errors.unknownResource("user", p.username);
      // As the reference: the user's API root on the core hosting them.
      const url = config.domain
        ? apiEndpoint(config, user.username)
        : `${coreUrl(config, user.core)}/${user.username}/`;
      return { core: { url } };
    }
    // Known or not, an email gets a core: the answer must not tell whether it is registered.
    const user = await findUserByEmail(db, p.email ?? "");
    return { core: { url: `${coreUrl(config, user?.core ?? config.coreId)}/` } };
  },
});

const hostings = defineMethod({
  id: "auth.hostings",
  scope: "service",
  params: z.object({}).loose(),
  permission: PUBLIC,
  writes: false,
  handler: async ({ config }) => config.hostings as object,
});

const appsList = defineMethod({
  id: "apps.get",
  scope: "service",
  params: z.object({}).loose(),
  permission: PUBLIC,
  writes: false,
  handler: async ({ config }) => ({ apps: config.apps }),
});

const appsGetOne = defineMethod({
  id: "apps.getOne",
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
