/**
 * D1 tables (storage only: API objects are mapped in each domain's *.store.ts).
 * Must match migrations/*.sql; test/db/schema.test.ts checks that it does.
 * Times are float seconds since the epoch, as in the Pryv API.
 */
import { sql } from "drizzle-orm";
import { foreignKey, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** The register's directory and each account's credentials. */
export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull().unique(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    passwordSet: real("password_set").notNull(),
    language: text("language").notNull(),
    appId: text("app_id").notNull(),
    referer: text("referer"),
    invitationToken: text("invitation_token"),
    core: text("core").notNull(),
    created: real("created").notNull(),
    /** Longest event duration in the account: lets time-range queries bound their index scan. */
    maxEventDuration: real("max_event_duration").notNull().default(0),
    /** Key of the attachments' read tokens (see attachments/read-tokens.ts). */
    filesSecret: text("files_secret"),
    /** Not null while the register has not confirmed the account (migration 0011): the account is unusable. */
    pendingUntil: real("pending_until"),
    /** Bumped by triggers whenever the account row, its accesses or its streams change (migration 0015). */
    revision: integer("revision").notNull().default(0),
  },
  (t) => [uniqueIndex("users_email_unique").on(sql`lower(${t.email})`)],
);

export const accesses = sqliteTable(
  "accesses",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    token: text("token").notNull(),
    type: text("type", { enum: ["personal", "app", "shared"] }).notNull(),
    name: text("name").notNull(),
    deviceName: text("device_name"),
    permissions: text("permissions").notNull().default("[]"),
    clientData: text("client_data"),
    expires: real("expires"),
    /** Personal accesses only: end of the login session (sliding; 0 after logout). */
    sessionExpires: real("session_expires"),
    lastUsed: real("last_used"),
    calls: text("calls").notNull().default("{}"),
    created: real("created").notNull(),
    createdBy: text("created_by").notNull(),
    modified: real("modified").notNull(),
    modifiedBy: text("modified_by").notNull(),
    deleted: real("deleted"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    uniqueIndex("accesses_token_unique").on(t.userId, t.token),
    index("accesses_created_by").on(t.userId, t.createdBy),
    index("accesses_token").on(t.token),
    uniqueIndex("accesses_name_unique")
      .on(t.userId, t.type, t.name, sql`ifnull(${t.deviceName}, '')`)
      .where(sql`${t.deleted} IS NULL`),
  ],
);

/** Profile sets: `public`, `private`, and `app:{accessName}`. */
export const profiles = sqliteTable(
  "profiles",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    profileId: text("profile_id").notNull(),
    data: text("data").notNull().default("{}"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.profileId] })],
);

/** Single-use invitation tokens generated through the admin API. */
/** The register's directory (migration 0011): who is hosted where, reserved then active. */
export const directory = sqliteTable(
  "directory",
  {
    username: text("username").primaryKey(),
    email: text("email").notNull(),
    core: text("core").notNull(),
    status: text("status", { enum: ["reserved", "active"] }).notNull(),
    reservedUntil: real("reserved_until"),
    invitationToken: text("invitation_token"),
    created: real("created").notNull(),
  },
  (t) => [
    uniqueIndex("directory_email_unique").on(sql`lower(${t.email})`),
    index("directory_core").on(t.core, t.created),
    index("directory_created").on(t.created, t.username),
  ],
);

export const invitations = sqliteTable("invitations", {
  token: text("token").primaryKey(),
  description: text("description"),
  created: real("created").notNull(),
  consumedBy: text("consumed_by"),
  consumedAt: real("consumed_at"),
});

/**
 * Events, including the account's system-stream events. A row with `deleted`
 * set is a deletion record (`{id, deleted}`) kept for sync; its `streamIds`
 * are where the event was (`[]` in records older than migration 0005).
 */
export const events = sqliteTable(
  "events",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    streamIds: text("stream_ids").notNull().default("[]"),
    type: text("type").notNull().default(""),
    time: real("time").notNull().default(0),
    /** null → running period; absent duration is stored as 0. */
    duration: real("duration"),
    /** time + duration; null for a running period. */
    endTime: real("end_time"),
    content: text("content"),
    description: text("description"),
    clientData: text("client_data"),
    attachments: text("attachments"),
    trashed: integer("trashed", { mode: "boolean" }).notNull().default(false),
    integrity: text("integrity"),
    created: real("created").notNull(),
    createdBy: text("created_by").notNull(),
    modified: real("modified").notNull(),
    modifiedBy: text("modified_by").notNull(),
    /** Account write serial (from the account's Durable Object) of the last change. */
    serial: integer("serial").notNull(),
    deleted: real("deleted"),
    /** The event's API text, kept by SQLite's triggers (migrations/0017_event_json.sql), never written by the code; read by events.get's pages (src/events/page-row.ts). */
    json: text("json"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index("events_time").on(t.userId, t.time, t.id).where(sql`${t.deleted} IS NULL`),
    index("events_modified").on(t.userId, t.modified),
    index("events_running").on(t.userId, t.time).where(sql`${t.duration} IS NULL AND ${t.deleted} IS NULL`),
    index("events_deleted").on(t.userId, t.deleted).where(sql`${t.deleted} IS NOT NULL`),
  ],
);

/** Which streams an event is filed in (one row per stream id), with its time for ordered scans. */
export const eventStreams = sqliteTable(
  "event_streams",
  {
    userId: integer("user_id").notNull(),
    streamId: text("stream_id").notNull(),
    time: real("time").notNull(),
    eventId: text("event_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.streamId, t.time, t.eventId] }),
    index("event_streams_event").on(t.userId, t.eventId),
    foreignKey({ columns: [t.userId, t.eventId], foreignColumns: [events.userId, events.id] }).onDelete("cascade"),
  ],
);

/** Streams; a row with `deleted` set is a deletion record (`{id, deleted}`, and where it was) kept for sync. */
export const streams = sqliteTable(
  "streams",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    name: text("name"),
    parentId: text("parent_id"),
    clientData: text("client_data"),
    trashed: integer("trashed", { mode: "boolean" }).notNull().default(false),
    created: real("created"),
    createdBy: text("created_by"),
    modified: real("modified").notNull(),
    modifiedBy: text("modified_by"),
    serial: integer("serial").notNull(),
    deleted: real("deleted"),
    /**
     * Deletion records only: the stream's ancestors when it was deleted (JSON array, nearest first;
     * `[]` for a root). Null for live streams and for records older than migration 0005 (place unknown).
     */
    formerAncestors: text("former_ancestors"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index("streams_parent").on(t.userId, t.parentId).where(sql`${t.deleted} IS NULL`),
    uniqueIndex("streams_sibling_name")
      .on(t.userId, sql`ifnull(${t.parentId}, '')`, t.name)
      .where(sql`${t.deleted} IS NULL`),
    index("streams_deleted").on(t.userId, t.deleted).where(sql`${t.deleted} IS NOT NULL`),
  ],
);

/** Previous versions of events, for `includeHistory`. */
export const eventHistory = sqliteTable(
  "event_history",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    eventId: text("event_id").notNull(),
    serial: integer("serial").notNull(),
    modified: real("modified").notNull(),
    data: text("data").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.eventId, t.serial] })],
);

/** An event left or entered a stream's scope at `time` (see events/scope-exits.ts). */
export const eventScopeChanges = sqliteTable(
  "event_scope_changes",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    streamId: text("stream_id").notNull(),
    time: real("time").notNull(),
    eventId: text("event_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.streamId, t.time, t.eventId] }),
    index("event_scope_changes_event").on(t.userId, t.eventId, t.time),
    index("event_scope_changes_time").on(t.userId, t.time),
  ],
);

/** A stream's parent before a move at `time` (see events/scope-exits.ts). */
export const streamMoves = sqliteTable(
  "stream_moves",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    streamId: text("stream_id").notNull(),
    time: real("time").notNull(),
    formerParentId: text("former_parent_id"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.time, t.streamId] })],
);

/** One row per authenticated call: the audit trail (see accesses/usage.ts). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    time: real("time").notNull(),
    accessId: text("access_id").notNull(),
    method: text("method").notNull(),
    status: integer("status").notNull(),
    errorId: text("error_id"),
    source: text("source").notNull(),
    country: text("country"),
    asn: integer("asn"),
    network: text("network"),
    newOrigin: integer("new_origin", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index("audit_log_time").on(t.userId, t.time),
    index("audit_log_access").on(t.userId, t.accessId, t.time),
    index("audit_log_method").on(t.userId, t.method, t.time),
  ],
);

/** Countries and networks each access has been used from, with when first. */
export const accessOrigins = sqliteTable(
  "access_origins",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accessId: text("access_id").notNull(),
    origin: text("origin").notNull(),
    firstSeen: real("first_seen").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.accessId, t.origin] })],
);

/** Webhooks of app and shared accesses (see webhooks/); `runs` is a JSON ring, newest first. */
export const webhooks = sqliteTable(
  "webhooks",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    accessId: text("access_id").notNull(),
    url: text("url").notNull(),
    state: text("state", { enum: ["active", "inactive"] }).notNull().default("active"),
    runCount: integer("run_count").notNull().default(0),
    failCount: integer("fail_count").notNull().default(0),
    currentRetries: integer("current_retries").notNull().default(0),
    maxRetries: integer("max_retries").notNull(),
    minIntervalMs: integer("min_interval_ms").notNull(),
    runs: text("runs").notNull().default("[]"),
    created: real("created").notNull(),
    createdBy: text("created_by").notNull(),
    modified: real("modified").notNull(),
    modifiedBy: text("modified_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.id] }), uniqueIndex("webhooks_access_url").on(t.userId, t.accessId, t.url)],
);

/** Active MFA of an account (migration 0009; see mfa/): encrypted TOTP secret, hashed recovery codes. */
export const mfa = sqliteTable("mfa", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  recoveryCodes: text("recovery_codes").notNull(),
  lastStep: integer("last_step").notNull(),
  activated: real("activated").notNull(),
});

/** One live password reset request per account (migration 0010; see account/password-reset.*): the token's SHA-256 only. */
export const passwordResets = sqliteTable("password_resets", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull(),
  expires: real("expires").notNull(),
  created: real("created").notNull(),
});

/** DNS records of the service's domain, kept by the register (migration 0012; see register/records.ts). */
export const dnsRecords = sqliteTable("dns_records", {
  subdomain: text("subdomain").primaryKey(),
  /** JSON `{a?, aaaa?, cname?, txt?}`, as validated. */
  records: text("records").notNull(),
  created: real("created").notNull(),
  modified: real("modified").notNull(),
});

/** Calls of the admin API (migration 0012; see register/admin-trail.ts): who, what, when, from where — never the key. */
export const adminTrail = sqliteTable(
  "admin_trail",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    time: real("time").notNull(),
    /** First 8 hex digits of the SHA-256 of the key presented; null when none was. */
    keyFingerprint: text("key_fingerprint"),
    /** 1 when the key presented was the admin key. */
    admitted: integer("admitted").notNull(),
    method: text("method").notNull(),
    /** `ok` or the error id. */
    outcome: text("outcome").notNull(),
    status: integer("status").notNull(),
    target: text("target"),
    ip: text("ip"),
    country: text("country"),
    asn: integer("asn"),
  },
  (t) => [index("admin_trail_time").on(t.time)],
);

/** Slices of other accounts the person follows (migration 0014; see followed-slices/): the other account's url and token. */
export const followedSlices = sqliteTable(
  "followed_slices",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    id: text("id").notNull(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    accessToken: text("access_token").notNull(),
    created: real("created").notNull(),
    modified: real("modified").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    uniqueIndex("followed_slices_name").on(t.userId, t.name),
    uniqueIndex("followed_slices_url_token").on(t.userId, t.url, t.accessToken),
  ],
);

/** Each account Durable Object's write clock, saved with its grouped writes (migration 0016; src/account-do/write-clock.ts). */
export const accountClocks = sqliteTable("account_clocks", {
  object: text("object").primaryKey().notNull(),
  serial: integer("serial").notNull(),
  lastMs: integer("last_ms").notNull(),
});
