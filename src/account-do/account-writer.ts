/** What a write method gets from the account's Durable Object while it holds the write lock. */
import type { StreamTree } from "../streams/stream-tree";
import type { FileLedger } from "./file-ledger";
import type { StreamRow } from "../streams/streams.store";
import type { MfaSessions } from "../mfa/mfa-sessions";
import { runBatch, type Db, type Statement } from "../db/client";
import { insertEventsStatements, type NewEvent } from "../events/events.store";
import type { RecentEvents } from "./recent-events";

/** One per write operation: strictly increasing per account. */
export interface WriteStamp {
  /** Float seconds; also used as `modified` (so `modifiedSince` sync never misses a write). */
  time: number;
  serial: number;
}

/**
 * Password-guessing throttle of the account, per client (see login-guard.ts):
 * `client` is `addressClient(ip)` for logins, `sessionClient(accessId)` for
 * calls made with a valid personal token.
 */
export interface LoginGuard {
  /** Throws `too-many-requests` (429, Retry-After) while `client` must wait after repeated failures. */
  assertAllowed(client: string): void;
  recordFailure(client: string): void;
  /** `client` gave the right password: its failures are forgotten. */
  forgive(client: string): void;
  /** Forgets every client (the account was created or deleted). */
  reset(): void;
}

export interface AccountWriter {
  /** The next stamp (waits, on a fresh instance of the object, for its clock to be read). */
  stamp(): Promise<WriteStamp>;
  loginGuard: LoginGuard;
  /**
   * The account's live streams, kept in the Durable Object between calls:
   * every stream write goes through it, so the copy stays exact.
   */
  streamTree(userId: number): Promise<StreamTree<StreamRow>>;
  /** Forgets that copy; stream-writing methods call it before writing. */
  streamsChanged(): void;
  /** The account's files in R2: uploads to keep, objects to remove. */
  files: FileLedger;
  /** Pending MFA logins and activations (src/mfa/mfa-sessions.ts), in this object's storage. */
  mfaSessions: MfaSessions;
  /** The account was deleted: drop what this object keeps about it (usage, caches, login guard). */
  forgetAccount(): void;
  /**
   * Commits a call's writes: at once (one D1 batch; a failure is thrown), or
   * inside a group of `commitsInGroup` calls queued and committed with the
   * group's other writes in one D1 transaction once the group ends.
   */
  commit(work: Commit): Promise<void>;
  /** The events this object wrote last, as stored (src/account-do/recent-events.ts). */
  recentEvents: RecentEvents;
}

/** The writes of one call. */
export interface Commit {
  userId: number;
  /** Events created: a group inserts all its creations with a few statements. */
  created?: NewEvent[];
  /** Other writes, after the creations. */
  statements?: Statement[];
  /** Runs once the writes are committed (files to keep), in call order. */
  committed?: () => void;
}

/** A group is committed early once its rows weigh this much. */
const GROUP_MAX_BYTES = 2_000_000;

const weight = (work: Commit) => (work.created ?? []).reduce((sum, row) => sum + row.bytes, 0);

/**
 * The account's commits (see AccountWriter.commit). Outside a group each
 * runs at once; while a group is open they are queued, and `flush` commits
 * them as one D1 batch: one round trip, all or nothing.
 */
export class Commits {
  private queued: Commit[] | null = null;
  private bytes = 0;

  /** `alsoWrite`: a statement each D1 batch carries too (the clock of the group's stamps), `saved` once it committed. */
  constructor(
    private readonly db: () => Db,
    private readonly alsoWrite: (db: Db) => { statement: Statement; saved: () => void } | null = () => null,
  ) {}

  /** Whether commits are queued (a group is open) rather than run at once. */
  get queueing(): boolean {
    return this.queued !== null;
  }

  async commit(work: Commit): Promise<void> {
    if (!this.queued) {
      await this.run([work]);
      return;
    }
    this.queued.push(work);
    this.bytes += weight(work);
  }

  /** Commits queue from now on, until `close`. */
  open(): void {
    this.queued ??= [];
  }

  close(): void {
    this.queued = null;
    this.bytes = 0;
  }

  /** A position in the queue: `dropFrom` forgets what was queued after it (a call that failed). */
  mark(): number {
    return this.queued?.length ?? 0;
  }

  dropFrom(mark: number): void {
    this.queued?.splice(mark);
    this.bytes = (this.queued ?? []).reduce((sum, w) => sum + weight(w), 0);
  }

  /** Whether the group should be committed before it grows further. */
  get full(): boolean {
    return this.bytes >= GROUP_MAX_BYTES;
  }

  /** Commits what is queued (the queue stays open); throws if the transaction failed, which then changed nothing. */
  async flush(): Promise<void> {
    const works = this.queued ?? [];
    this.queued = this.queued && [];
    this.bytes = 0;
    await this.run(works);
  }

  private async run(works: Commit[]): Promise<void> {
    const db = this.db();
    const statements: Statement[] = [];
    for (const [userId, mine] of Map.groupBy(works, (w) => w.userId)) {
      statements.push(...insertEventsStatements(db, userId, mine.flatMap((w) => w.created ?? [])));
    }
    statements.push(...works.flatMap((w) => w.statements ?? []));
    const also = statements.length ? this.alsoWrite(db) : null;
    await runBatch(db, also ? [...statements, also.statement] : statements);
    also?.saved();
    for (const work of works) work.committed?.();
  }
}
