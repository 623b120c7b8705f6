/**
 * Proving who one is (username and password, throttled per client) and opening
 * a login session once proven (auth.login's password, or mfa.verify's code
 * after it): the personal access of the app, created or reused.
 */
import { and, eq } from "drizzle-orm";
import { findPersonalAccess, insertPersonalAccess, SYSTEM_AUTHOR } from "../accesses/accesses.store";
import type { AccountWriter } from "../account-do/account-writer";
import type { UserRecord } from "../account/account.store";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { accesses } from "../db/schema";
import { errors } from "../errors";
import type { CallerInfo } from "../methods/method";
import { verifyPassword } from "../shared/crypto";
import { apiEndpoint } from "../service/service-info";
import { newId, newToken } from "../shared/ids";
import { addressClient } from "./login-clients";

export interface LoginSession {
  token: string;
  apiEndpoint: string;
  preferredLanguage: string;
}

/** Throws unless `username`/`password` are the account's (auth.login, mfa.recover). */
export async function assertCredentials(
  { user, caller, writer }: { user: UserRecord; caller: CallerInfo; writer: AccountWriter },
  username: string,
  password: string,
): Promise<void> {
  if (username.toLowerCase() !== user.username) {
    throw errors.invalidOperation("The username in the path does not match that of the credentials.");
  }
  // Throttled per client (address), not per account: others' failures never stop the owner (login-guard.ts).
  const client = addressClient(caller.ip);
  writer.loginGuard.assertAllowed(client);
  if (!(await verifyPassword(password, user.passwordHash))) {
    writer.loginGuard.recordFailure(client);
    throw errors.invalidCredentials();
  }
  writer.loginGuard.forgive(client);
}

export async function openLoginSession(
  { db, config, user, writer }: { db: Db; config: Config; user: UserRecord; writer: AccountWriter },
  appId: string,
): Promise<LoginSession> {
  const stamp = await writer.stamp();
  const sessionExpires = stamp.time + config.sessionMaxAgeSeconds;
  const existing = await findPersonalAccess(db, user.id, appId);
  let token: string;
  if (!existing) {
    token = newToken();
    await insertPersonalAccess(db, user.id, { id: newId(), token, name: appId, sessionExpires }, stamp);
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
}
