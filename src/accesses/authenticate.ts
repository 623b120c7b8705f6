/** Token → the calling access, with the reference's errors for each way a token can be unusable. */
import { errors } from "../errors";
import type { Db } from "../db/client";
import type { UserRecord } from "../account/account.store";
import { findLiveAccessByToken, type AccessRecord } from "./accesses.store";
import { sessionIsOpen } from "./sessions";

export async function authenticate(
  db: Db,
  user: UserRecord,
  token: string | null,
  now: number,
): Promise<AccessRecord> {
  if (!token) {
    throw errors.invalidAccessToken(
      'The access token is missing: expected an "Authorization" header or an "auth" query string parameter.',
    );
  }
  const access = await findLiveAccessByToken(db, user.id, token);
  if (!access) throw errors.invalidAccessToken("Cannot find access from token.", 403);
  if (!sessionIsOpen(access, now)) throw errors.invalidAccessToken("Access session has expired.", 403);
  if (access.expires !== null && access.expires <= now) throw errors.forbidden("Access has expired.");
  return access;
}
