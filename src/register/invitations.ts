/**
 * Who may register: the invitation gate.
 *
 * REGISTRATION=open follows the reference (Pryv's platform rule): registration
 * is open until the platform has invitation tokens — INVITATION_TOKENS
 * configured, or any token generated through the admin API, even one already
 * used — then a token is required. `invitation` always requires one (refusing
 * everyone while none exists); `closed` refuses every registration.
 * Configured tokens are reusable; generated ones are single-use.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { invitations } from "../db/schema";
import { errors } from "../errors";
import { timingSafeEqualStrings } from "../shared/crypto";
import { newToken } from "../shared/ids";
import { nowSeconds } from "../shared/time";

export type RegistrationGate = "open" | "token-required" | "closed";

/** Whether registering takes a token right now (the web pages ask it too, to show the field). */
export async function registrationGate(db: Db, config: Config): Promise<RegistrationGate> {
  if (config.registration === "closed") return "closed";
  if (config.registration === "invitation" || config.invitationTokens.length) return "token-required";
  const anyGenerated = await db.select({ token: invitations.token }).from(invitations).limit(1).get();
  return anyGenerated ? "token-required" : "open";
}

/** Checks every configured token, so the time taken does not tell which one matched (or how far). */
function matchesConfigured(config: Config, token: string): boolean {
  return config.invitationTokens.map((candidate) => timingSafeEqualStrings(candidate, token)).includes(true);
}

async function isUnusedGenerated(db: Db, token: string): Promise<boolean> {
  const row = await db
    .select({ token: invitations.token })
    .from(invitations)
    .where(and(eq(invitations.token, token), isNull(invitations.consumedBy)))
    .get();
  return row !== undefined;
}

/** Would a registration with `token` pass the gate now? (`/access/invitationtoken/check`; nothing is claimed.) */
export async function isInvitationTokenValid(db: Db, config: Config, token: string | undefined): Promise<boolean> {
  const gate = await registrationGate(db, config);
  if (gate !== "token-required") return gate === "open";
  if (!token) return false;
  return matchesConfigured(config, token) || (await isUnusedGenerated(db, token));
}

export interface InvitationClaim {
  /** Gives a single-use token back when the registration that claimed it fails. */
  release(): Promise<void>;
}

const NOTHING_TO_RELEASE: InvitationClaim = { release: async () => {} };

/** Passes the gate for `username`, using up a generated token; `invalid-operation` (400) otherwise. */
export async function claimInvitation(
  db: Db,
  config: Config,
  token: string | undefined,
  username: string,
): Promise<InvitationClaim> {
  const gate = await registrationGate(db, config);
  if (gate === "open") return NOTHING_TO_RELEASE;
  if (gate === "closed") throw errors.invalidOperation("Registration is closed on this service.");
  if (!token) throw errors.invalidOperation("Invalid invitation token");
  if (matchesConfigured(config, token)) return NOTHING_TO_RELEASE;
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

/**
 * An invitation as the reference shows it: times in milliseconds, `createdBy`
 * the admin (one admin key here: who exactly is in the admin trail).
 */
export interface Invitation {
  id: string;
  createdAt: number;
  createdBy: "admin";
  description: string;
  consumedAt?: number;
  consumedBy?: string;
}

type InvitationRow = typeof invitations.$inferSelect;

const toMs = (seconds: number) => Math.round(seconds * 1000);

function invitationOf(row: InvitationRow): Invitation {
  const out: Invitation = { id: row.token, createdAt: toMs(row.created), createdBy: "admin", description: row.description ?? "" };
  if (row.consumedBy !== null) {
    out.consumedBy = row.consumedBy;
    if (row.consumedAt !== null) out.consumedAt = toMs(row.consumedAt);
  }
  return out;
}

export async function createInvitations(db: Db, count: number, description: string | null): Promise<Invitation[]> {
  const created = nowSeconds();
  const rows: InvitationRow[] = Array.from({ length: count }, () => ({
    token: newToken(),
    description,
    created,
    consumedBy: null,
    consumedAt: null,
  }));
  const [first, ...rest] = rows.map((row) => db.insert(invitations).values(row));
  if (first) await db.batch([first, ...rest]);
  return rows.map(invitationOf);
}

export async function listInvitations(db: Db): Promise<Invitation[]> {
  const rows = await db.select().from(invitations).orderBy(asc(invitations.created), asc(invitations.token)).all();
  return rows.map(invitationOf);
}
