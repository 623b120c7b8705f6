/**
 * Login sessions: `auth.login` opens (or reuses) a personal access for the app
 * (login-session.ts) — or, when the account has MFA, answers `{mfaToken}` for
 * mfa.verify — and `auth.logout` ends it.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { accesses } from "../db/schema";
import { errors, fromZodError } from "../errors";
import { ANY_ACCESS, defineMethod, PUBLIC } from "../methods/method";
import { LIMITS } from "../shared/limits";
import { findActiveMfa } from "../mfa/mfa.store";
import { assertCredentials, openLoginSession } from "./login-session";
import { assertTrustedApp } from "./trusted-apps";
import { loginResult } from "./auth.schema";
import { emptyResult } from "../methods/result-parts";

const text = z.string().max(LIMITS.shortText);
const loginParams = z.object({ username: text, password: text, appId: text });

const login = defineMethod({
  id: "auth.login",
  result: loginResult,
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
    await assertCredentials({ user, caller, writer }, p.username, p.password);

    // With MFA active the session opens only at mfa.verify, with a code (src/mfa/).
    if (await findActiveMfa(db, user.id)) {
      const session = { kind: "login", userId: user.id, appId: p.appId, passwordSet: user.passwordSet } as const;
      return { mfaToken: await writer.mfaSessions.open(session) };
    }
    return openLoginSession({ db, config, user, writer }, p.appId);
  },
});

const logout = defineMethod({
  id: "auth.logout",
  result: emptyResult,
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
