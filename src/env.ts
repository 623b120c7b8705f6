import type { AccountDO } from "./account-do/account-do";

/** Bindings and variables the Worker receives (see wrangler.toml and README "Configuration"). */
export interface Env {
  DB: D1Database;
  FILES: R2Bucket;
  KV: KVNamespace;
  ACCOUNT: DurableObjectNamespace<AccountDO>;

  ENVIRONMENT?: string;
  PUBLIC_URL?: string;
  DOMAIN?: string;
  ROLE?: string;
  REGION?: string;
  CORE_ID?: string;
  CORES?: string;
  /** A core's way to the register (src/register/register-client.ts): its base URL and the shared key. */
  REGISTER_URL?: string;
  REGISTER_KEY?: string;
  /** Service binding to the register Worker (both in one account); REGISTER_URL still names its base URL. */
  REGISTER?: Fetcher;
  /** Local mode only (tests): registrations with a `fault-confirm-*` / `fault-crash-*` email fail at the confirmation step. */
  REGISTER_TEST_FAULTS?: string;
  HOSTINGS?: string;
  SERVICE_NAME?: string;
  SERVICE_HOME?: string;
  SERVICE_SUPPORT?: string;
  SERVICE_TERMS?: string;
  SERVICE_SERIAL?: string;
  EVENT_TYPES_URL?: string;
  TRUSTED_APPS?: string;
  APPS?: string;
  ADMIN_KEY?: string;
  REGISTRATION?: string;
  INVITATION_TOKENS?: string;
  RESERVED_USERNAMES?: string;
  PASSWORD_MIN_LENGTH?: string;
  PASSWORD_MIN_CHAR_CATEGORIES?: string;
  SESSION_MAX_AGE?: string;
  LOGIN_MAX_FAILURES?: string;
  LOGIN_LOCK_SECONDS?: string;
  MAX_BODY_BYTES?: string;
  MAX_FILE_BYTES?: string;
  MAX_UPLOAD_BYTES?: string;
  SOCKET_PING_INTERVAL_MS?: string;
  WEBHOOKS_ALLOW_PRIVATE?: string;
  APP_SECRETS?: string;
  ACCESS_REQUESTS?: string;
  ACCESS_REQUEST_TTL?: string;
  AUTH_URL?: string;
  TRUSTED_AUTH_URLS?: string;
  MAIL_SENDER?: string;
  MAIL_FROM?: string;
  MAIL_API_URL?: string;
  MAIL_API_KEY?: string;
  PASSWORD_RESET_TTL?: string;
  SECRETS_KEY?: string;
  /** `on`: reads from D1 read replicas through the Sessions API (src/db/replicas.ts). */
  D1_READ_REPLICAS?: string;
  /** Cloudflare Email Routing's `send_email` binding (MAIL_SENDER=send-email). */
  MAIL?: SendEmail;
  /** Set by the notifications tests (local mode only): JSON sockets answer `debug.instance` (docs/notifications.md). */
  SOCKET_DEBUG?: string;
  /** Set by `npm run bench` (local mode only): serves the raw R2 baseline routes. */
  BENCH_ROUTES?: string;
}
