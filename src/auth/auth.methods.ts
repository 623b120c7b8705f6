/** Login sessions: `auth.login` opens (or reuses) a personal access for the app, `auth.logout` ends it. */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { findPersonalAccess, insertPersonalAccess, SYSTEM_AUTHOR } from "../accesses/accesses.store";
import { accesses } from "../db/schema";
import { errors, fromZodError } from "../errors";
import { addressClient } from "./login-clients";
import { ANY_ACCESS, defineMethod, PUBLIC } from "../methods/method";
import { verifyPassword } from "../shared/crypto";
import { LIMITS } from "../shared/limits";
import { newId, newToken } from "../shared/ids";
import { apiEndpoint } from "../service/service-info";
import { assertTrustedApp } from "./trusted-apps";

const text = z.string().max(LIMITS.shortText);
const loginParams = z.object({ username: text, password: text, appId: text });

const login = defineMethod({
  id: "auth.login",
  scope: "account",
  params: loginParams,
  invalidParams: (err) => {
    const missing = err.issues.some((i) => i.code === "invalid_type" && i.input === undefined);
    return missing
      ? errors.invalidOperation("Missing parameters: username, password and appId are required.")
      : fromZodError(err);
  },
  permission: PUBLIC,
  writes: true,
  handler: async ({ db, config, user, caller, writer }, p) => {
    if (!user || !writer) throw new Error("auth.login runs in the account's Durable Object");
    assertTrustedApp(config, p.appId, caller.origin);
    if (p.username.toLowerCase() !== user.username) {
      throw errors.invalidOperation("The username in the path does not match that of the credentials.");
    }
    // Throttled per client (address), not per account: others' failures never stop the owner (login-guard.ts).
    const client = addressClient(caller.ip);
    writer.loginGuard.assertAllowed(client);
    if (!(await verifyPassword(p.password, user.passwordHash))) {
      writer.loginGuard.recordFailure(client);
      throw errors.invalidCredentials();
    }
    writer.loginGuard.forgive(client);

    const stamp = writer.stamp();
    const sessionExpires = stamp.time + config.sessionMaxAgeSeconds;
    const existing = await findPersonalAccess(db, user.id, p.appId);
    let token: string;
    if (!existing) {
      token = newToken();
      await insertPersonalAccess(db, user.id, { id: newId(), token, name: p.appId, sessionExpires }, stamp);
    } else {
      // An open session is reused (same token); an ended one gets a new token on the same access. So does one
      // opened before the password was last set: a login after a password change never hands out a token that
      // existed before it. (A personal access's `modified` is when its token was issued: personal accesses
      // cannot be updated.) For the app whose session made the change, this new login replaces its token —
      // as any new token of an access does; until then that session goes on.
      const open = (existing.sessionExpires ?? 0) > stamp.time && existing.modified >= user.passwordSet;
      token = open ? existing.token : newToken();
      await db
        .update(accesses)
        .set({
          token,
          sessionExpires,
          lastUsed: stamp.time,
          ...(open ? {} : { modified: stamp.time, modifiedBy: SYSTEM_AUTHOR }),
        })
        .where(and(eq(accesses.userId, user.id), eq(accesses.id, existing.id)));
    }
    return { token, apiEndpoint: apiEndpoint(config, user.username, token), preferredLanguage: user.language };
  },
});

const logout = defineMethod({
  id: "auth.logout",
  scope: "account",
  params: z.object({}).loose(),
  permission: ANY_ACCESS,
  writes: true,
  handler: async ({ db, user, access }) => {
    if (user && access?.type === "personal") {
      await db
        .update(accesses)
        .set({ sessionExpires: 0 })
        .where(and(eq(accesses.userId, user.id), eq(accesses.id, access.id)));
    }
    return {};
  },
});

export const authMethods = [login, logout];
