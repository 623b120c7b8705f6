/** Login sessions: `auth.login` opens (or reuses) a personal access for the app, `auth.logout` ends it. */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { findPersonalAccess, insertPersonalAccess, SYSTEM_AUTHOR } from "../accesses/accesses.store";
import { accesses } from "../db/schema";
import { errors, fromZodError } from "../errors";
import { ANY_ACCESS, defineMethod, PUBLIC } from "../methods/method";
import { verifyPassword } from "../shared/crypto";
import { newId, newToken } from "../shared/ids";
import { apiEndpoint } from "../service/service-info";
import { assertTrustedApp } from "./trusted-apps";

const loginParams = z.object({ username: z.string(), password: z.string(), appId: z.string() });

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
    writer.loginGuard.assertAllowed();
    if (!(await verifyPassword(p.password, user.passwordHash))) {
      writer.loginGuard.recordFailure();
      throw errors.invalidCredentials();
    }
    writer.loginGuard.reset();

    const stamp = writer.stamp();
    const sessionExpires = stamp.time + config.sessionMaxAgeSeconds;
    const existing = await findPersonalAccess(db, user.id, p.appId);
    let token: string;
    if (!existing) {
      token = newToken();
      await insertPersonalAccess(db, user.id, { id: newId(), token, name: p.appId, sessionExpires }, stamp);
    } else {
      // An open session is reused (same token); an ended one gets a new token on the same access.
      const open = (existing.sessionExpires ?? 0) > stamp.time;
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
