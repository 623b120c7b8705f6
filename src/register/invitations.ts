/**
 * Who may register. REGISTRATION=open lets anyone in; `invitation` requires a
 * token: one of INVITATION_TOKENS (reusable) or a single-use token generated
 * through the admin API; `closed` refuses every registration.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { invitations } from "../db/schema";
import { errors } from "../errors";
import { timingSafeEqualStrings } from "../shared/crypto";
import { newToken } from "../shared/ids";
import { nowSeconds } from "../shared/time";

export interface InvitationClaim {
  /** Gives a single-use token back when the registration that claimed it fails. */
  release(): Promise<void>;
}

const NOTHING_TO_RELEASE: InvitationClaim = { release: async () => {} };

export async function claimInvitation(
  db: Db,
  config: Config,
  token: string | undefined,
  username: string,
): Promise<InvitationClaim> {
  if (config.registration === "open") return NOTHING_TO_RELEASE;
  if (config.registration === "closed") throw errors.invalidOperation("Registration is closed on this service.");
  if (!token) throw errors.invalidOperation("Invalid invitation token");
  // Check every configured token so the time taken does not tell which one matched.
  const matchesConfigured = config.invitationTokens
    .map((candidate) => timingSafeEqualStrings(candidate, token))
    .includes(true);
  if (matchesConfigured) return NOTHING_TO_RELEASE;
  const claimed = await db
    .update(invitations)
    .set({ consumedBy: username, consumedAt: nowSeconds() })
    .where(and(eq(invitations.token, token), isNull(invitations.consumedBy)))
    .returning({ token: invitations.token })
    .get();
  if (!claimed) throw errors.invalidOperation("Invalid invitation token");
  return {
    release: async () => {
      await db
        .update(invitations)
        .set({ consumedBy: null, consumedAt: null })
        .where(eq(invitations.token, token));
    },
  };
}

export async function createInvitations(db: Db, count: number, description: string | null) {
  const created = nowSeconds();
  const rows = Array.from({ length: count }, () => ({ token: newToken(), description, created }));
  const [first, ...rest] = rows.map((row) => db.insert(invitations).values(row));
  if (first) await db.batch([first, ...rest]);
  return rows.map(({ token }) => ({ id: token, description, created }));
}

export async function listInvitations(db: Db) {
  const rows = await db.select().from(invitations).all();
  return rows.map((r) => ({
    id: r.token,
    description: r.description,
    created: r.created,
    consumedBy: r.consumedBy,
    consumedAt: r.consumedAt,
  }));
}
