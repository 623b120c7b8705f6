/**
 * The register's directory (table `directory`, migration 0011): which core hosts
 * which username, and whose email is whose. Every register read goes here, never
 * to `users` (a core's credentials), so the register can live on its own D1.
 *
 * A registration first *reserves* its entry (username and email taken globally,
 * for RESERVATION_SECONDS), the core creates the account, then *confirms* it. A
 * reservation never confirmed (the core crashed, or gave up) expires: the next
 * registration meeting it deletes it, so a name is never held forever.
 */
import { and, asc, count, eq, gt, or, sql } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "../db/client";
import { directory, invitations } from "../db/schema";
import { errors } from "../errors";
import { nowSeconds } from "../shared/time";
import { isUniqueViolation } from "../account/account.store";
import { claimInvitation } from "./invitations";
import { isReservedUsername } from "./reserved-usernames";

export const RESERVATION_SECONDS = 600;

export type DirectoryEntry = typeof directory.$inferSelect;

export interface Reservation {
  username: string;
  email: string;
  core: string;
  invitationToken?: string;
}

const sameEmail = (email: string) => sql`lower(${directory.email}) = lower(${email})`;
/** Active entries, and reservations not expired yet: both hold their username and email. */
const live = (now: number) => or(eq(directory.status, "active"), gt(directory.reservedUntil, now));
const active = eq(directory.status, "active");

/** The entry holding `username` (active or reserved), if any. */
export async function findLiveEntry(db: Db, username: string): Promise<DirectoryEntry | null> {
  return (await db.select().from(directory).where(and(eq(directory.username, username), live(nowSeconds()))).get()) ?? null;
}

export async function findActiveEntry(db: Db, username: string): Promise<DirectoryEntry | null> {
  return (await db.select().from(directory).where(and(eq(directory.username, username), active)).get()) ?? null;
}

export async function findActiveByEmail(db: Db, email: string): Promise<DirectoryEntry | null> {
  return (await db.select().from(directory).where(and(sameEmail(email), active)).get()) ?? null;
}

export async function emailIsTaken(db: Db, email: string): Promise<boolean> {
  return !!(await db.select({ u: directory.username }).from(directory).where(and(sameEmail(email), live(nowSeconds()))).get());
}

/** The unique fields of `r` an entry already holds, as the reference's 409 names them. */
async function heldFields(db: Db, r: Reservation): Promise<Record<string, string>> {
  const now = nowSeconds();
  const [byName, byEmail] = await Promise.all([
    db.select({ u: directory.username }).from(directory).where(and(eq(directory.username, r.username), live(now))).get(),
    db.select({ u: directory.username }).from(directory).where(and(sameEmail(r.email), live(now))).get(),
  ]);
  return { ...(byName ? { username: r.username } : {}), ...(byEmail ? { email: r.email } : {}) };
}

/**
 * Holds `username` and `email` for `r.core` until the returned time (409 when
 * either is held); claims the invitation token here, where invitations live.
 */
export async function reserve(db: Db, config: Config, r: Reservation): Promise<{ reservedUntil: number }> {
  if (isReservedUsername(r.username, config.extraReservedUsernames)) {
    throw errors.itemAlreadyExists("user", { username: r.username });
  }
  const now = nowSeconds();
  // Expired reservations of this name or email are freed now (the cleanup of half-registrations).
  await db
    .delete(directory)
    .where(
      and(
        eq(directory.status, "reserved"),
        sql`${directory.reservedUntil} <= ${now}`,
        or(eq(directory.username, r.username), sameEmail(r.email)),
      ),
    );
  const held = await heldFields(db, r);
  if (Object.keys(held).length) throw errors.itemAlreadyExists("user", held);
  const invitation = await claimInvitation(db, config, r.invitationToken, r.username);
  const reservedUntil = now + RESERVATION_SECONDS;
  try {
    await db.insert(directory).values({
      username: r.username,
      email: r.email,
      core: r.core,
      status: "reserved",
      reservedUntil,
      invitationToken: r.invitationToken ?? null,
      created: now,
    });
  } catch (err) {
    await invitation.release();
    // Another registration took a field between the check and the insert.
    if (isUniqueViolation(err)) {
      const held = await heldFields(db, r);
      throw errors.itemAlreadyExists("user", Object.keys(held).length ? held : { username: r.username });
    }
    throw err;
  }
  return { reservedUntil };
}

/** Makes `core`'s reservation of `username` permanent; 404 when it expired or is not that core's. */
export async function confirm(db: Db, username: string, core: string): Promise<void> {
  const done = await db
    .update(directory)
    .set({ status: "active", reservedUntil: null })
    .where(and(eq(directory.username, username), eq(directory.core, core), live(nowSeconds())))
    .returning({ u: directory.username })
    .get();
  if (!done) throw errors.unknownResource("reservation", username);
}

/**
 * Drops `core`'s entry for `username` (a registration that did not complete:
 * whatever its status, that account was never acknowledged) and gives back the
 * invitation it used. Another core's entry is left alone.
 */
export async function release(db: Db, username: string, core: string): Promise<void> {
  const gone = await db
    .delete(directory)
    .where(and(eq(directory.username, username), eq(directory.core, core)))
    .returning({ token: directory.invitationToken })
    .get();
  if (gone?.token) {
    await db
      .update(invitations)
      .set({ consumedBy: null, consumedAt: null })
      .where(and(eq(invitations.token, gone.token), eq(invitations.consumedBy, username)));
  }
}

/** A new email for `username`: 409 when another entry holds it (in any case). */
export async function updateEmail(db: Db, username: string, email: string): Promise<void> {
  const holder = await db
    .select({ u: directory.username })
    .from(directory)
    .where(and(sameEmail(email), live(nowSeconds())))
    .get();
  if (holder && holder.u !== username) throw errors.itemAlreadyExists("user", { email });
  try {
    const done = await db
      .update(directory)
      .set({ email })
      .where(eq(directory.username, username))
      .returning({ u: directory.username })
      .get();
    if (!done) throw errors.unknownResource("user", username);
  } catch (err) {
    if (isUniqueViolation(err)) throw errors.itemAlreadyExists("user", { email });
    throw err;
  }
}

export async function remove(db: Db, username: string): Promise<void> {
  await db.delete(directory).where(eq(directory.username, username));
}

// ---- admin reads (src/register/admin.methods.ts)

const PAGE = 500;

/** Every active entry, oldest first, read page by page (keyset on created, username). */
export async function* allActiveEntries(db: Db, core?: string): AsyncIterable<DirectoryEntry> {
  let after: { created: number; username: string } | null = null;
  for (;;) {
    const page: DirectoryEntry[] = await db
      .select()
      .from(directory)
      .where(
        and(
          active,
          core === undefined ? undefined : eq(directory.core, core),
          after
            ? sql`(${directory.created}, ${directory.username}) > (${after.created}, ${after.username})`
            : undefined,
        ),
      )
      .orderBy(asc(directory.created), asc(directory.username))
      .limit(PAGE)
      .all();
    yield* page;
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!;
    after = { created: last.created, username: last.username };
  }
}

/** One page of active entries, oldest first, with how many there are in all. */
export async function activeEntriesPage(db: Db, limit: number, skip: number) {
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(directory)
      .where(active)
      .orderBy(asc(directory.created), asc(directory.username))
      .limit(limit)
      .offset(skip)
      .all(),
    db.select({ n: count() }).from(directory).where(active).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Core id → number of accounts it hosts. */
export async function countsByCore(db: Db): Promise<Record<string, number>> {
  const rows = await db.select({ core: directory.core, n: count() }).from(directory).where(active).groupBy(directory.core).all();
  return Object.fromEntries(rows.map((r) => [r.core, r.n]));
}

/** Moves every entry of core `from` to core `to`; returns how many moved. */
export async function renameCore(db: Db, from: string, to: string): Promise<number> {
  const moved = await db.update(directory).set({ core: to }).where(eq(directory.core, from)).returning({ u: directory.username }).all();
  return moved.length;
}
