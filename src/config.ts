/**
 * Service configuration, parsed once per isolate from wrangler.toml vars and
 * secrets (README "Configuration" documents every key and its local default).
 */
import { z } from "zod";
import type { Env } from "./env";
import { ApiError, errors } from "./errors";

export interface TrustedApp {
  appId: RegExp;
  origin: RegExp;
}

/**
 * An app the operator registered in APPS (the consent flow's "verified" apps). With
 * ACCESS_REQUESTS=registered, only these may start access requests.
 */
export interface RegisteredApp {
  id: string;
  /** The name the consent page shows (defaults to the id). */
  name: string;
  /** Allowed `returnURL` prefixes (none: no returnURL accepted in registered mode). */
  returnURLs: string[];
  /** Allowed browser origins, exact (`https://app.example.com`). */
  origins: string[];
  /** From APP_SECRETS (a secret): server-side callers present it in `Authorization`. */
  secret: string | null;
}

export interface Config {
  isLocal: boolean;
  /** Public base URL of this service, without trailing slash. */
  publicUrl: string;
  /** Set → subdomain mode (`{username}.{domain}`, `reg.{domain}`); null → DNS-less paths. */
  domain: string | null;
  role: "all" | "register" | "core";
  region: string;
  coreId: string;
  /** Core id → public base URL (no trailing slash). */
  cores: Record<string, string>;
  /** Core id → region (CORES entries `{url, region}`; REGION by default): groups `/reg/hostings`. */
  coreRegions: Record<string, string>;
  /**
   * How a core reaches the register's directory (src/register/register-client.ts): REGISTER_URL
   * (its public base URL, also over the `REGISTER` service binding) and the shared REGISTER_KEY.
   * Both null on a single node (ROLE=all), whose directory is in its own D1.
   */
  register: { url: string | null; key: string | null };
  hostings: unknown;
  apps: { id: string; [key: string]: unknown }[];
  service: { name: string; home: string; support: string; terms: string; serial: string; eventTypes: string };
  trustedApps: TrustedApp[];
  /**
   * ADMIN_KEY, in every mode: there is no built-in development key (hardening
   * issue, item 9; `npm start` writes a random one to `.dev.vars`). Null → admin API disabled.
   */
  adminKey: string | null;
  registration: "open" | "invitation" | "closed";
  invitationTokens: string[];
  extraReservedUsernames: string[];
  password: { minLength: number; minCharCategories: number };
  sessionMaxAgeSeconds: number;
  login: { maxFailures: number; lockSeconds: number };
  maxBodyBytes: number;
  files: { maxFileBytes: number; maxUploadBytes: number };
  /** Engine.IO ping interval of socket connections. */
  sockets: { pingIntervalMs: number };
  /** Whether webhooks may call private, loopback and link-local targets (local development). */
  webhooks: { allowPrivateTargets: boolean };
  /** The consent flow (`/reg/access`, src/consent/). */
  accessRequests: {
    /** Lifetime of a request in KV. */
    ttlSeconds: number;
    pollRateMs: number;
    /** The sign-in/consent page served by this Worker (no query string). */
    authUrl: string;
    /** Caller-supplied `authUrl`s must match one of these (our own page always does). */
    trustedAuthUrls: RegExp[];
    /** `open`: any app may ask (as Pryv); `registered`: only apps in `registeredApps`. */
    mode: "open" | "registered";
  };
  registeredApps: RegisteredApp[];
  /** Outgoing mail (src/mail/): `outbox` (local only, shown on a local page), `send-email` (binding MAIL), `http`, `none`. */
  mail: { sender: "outbox" | "send-email" | "http" | "none"; from: string; apiUrl: string | null; apiKey: string | null };
  passwordReset: { ttlSeconds: number };
  /** SECRETS_KEY (a secret, ≥ 32 characters): encrypts MFA secrets at rest. Null → MFA cannot be activated. */
  secretsKey: string | null;
  /** D1_READ_REPLICAS=on: reads from D1 read replicas, never older than the account's last commit (src/db/replicas.ts). */
  d1ReadReplicas: boolean;
}

const list = (value?: string) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const intVar = (name: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .min(min, `${name} must be >= ${min}`)
    .max(max, `${name} must be <= ${max}`);

const jsonVar = <T extends z.ZodType>(name: string, schema: T) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `${name} is not valid JSON` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const urlVar = (name: string) =>
  z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL` }).transform((u) => u.replace(/\/+$/, ""));

const varsSchema = z.object({
  ENVIRONMENT: z.string().default("local"),
  PUBLIC_URL: urlVar("PUBLIC_URL").default("http://127.0.0.1:8787"),
  DOMAIN: z
    .string()
    .regex(/^([a-z0-9-]+\.)*[a-z0-9-]+$|^$/, "DOMAIN must be a bare host name such as pryv.example.com")
    .default(""),
  ROLE: z.enum(["all", "register", "core"]).default("all"),
  REGION: z.string().min(1).default("local"),
  CORE_ID: z.string().regex(/^[a-z0-9-]+$/, "CORE_ID must be lowercase letters, digits and dashes").default("local"),
  // `{id: url}`, or `{id: {url, region}}` to place cores in regions (both forms may mix).
  CORES: jsonVar(
    "CORES",
    z.record(
      z.string().regex(/^[a-z0-9-]+$/, "CORES ids must be lowercase letters, digits and dashes"),
      z.union([urlVar("CORES entry"), z.object({ url: urlVar("CORES entry url"), region: z.string().min(1).optional() })]),
    ),
  ).optional(),
  REGISTER_URL: urlVar("REGISTER_URL").optional(),
  REGISTER_KEY: z.string().min(24, "REGISTER_KEY must be at least 24 characters").optional().or(z.literal("")),
  HOSTINGS: jsonVar("HOSTINGS", z.object({ regions: z.record(z.string(), z.unknown()) })).optional(),
  APPS: jsonVar(
    "APPS",
    z.array(
      z.looseObject({
        id: z.string().min(1),
        name: z.string().min(1).optional(),
        returnURLs: z.array(urlVar("APPS returnURLs entry")).optional(),
        origins: z.array(urlVar("APPS origins entry")).optional(),
      }),
    ),
  ).optional(),
  APP_SECRETS: z.string().optional(),
  ACCESS_REQUESTS: z.enum(["open", "registered"], { error: "ACCESS_REQUESTS must be open or registered" }).default("open"),
  ACCESS_REQUEST_TTL: intVar("ACCESS_REQUEST_TTL", 60, 7 * 24 * 3600).default(3600),
  AUTH_URL: urlVar("AUTH_URL").optional(),
  TRUSTED_AUTH_URLS: z.string().optional(),
  MAIL_SENDER: z.enum(["outbox", "send-email", "http", "none"]).optional(),
  MAIL_FROM: z.email({ error: "MAIL_FROM must be an email address" }).optional(),
  MAIL_API_URL: urlVar("MAIL_API_URL").optional(),
  MAIL_API_KEY: z.string().optional(),
  PASSWORD_RESET_TTL: intVar("PASSWORD_RESET_TTL", 60, 7 * 24 * 3600).default(3600),
  SECRETS_KEY: z.string().min(32, "SECRETS_KEY must be at least 32 characters").optional().or(z.literal("")),
  SERVICE_NAME: z.string().default("Pryv Edge (local)"),
  SERVICE_HOME: z.string().default("https://github.com/pryv/open-pryv.io"),
  SERVICE_SUPPORT: z.string().default("https://github.com/pryv/open-pryv.io/issues"),
  SERVICE_TERMS: z.string().default("https://pryv.com/terms-of-use/"),
  SERVICE_SERIAL: z.string().default("2026112301"),
  EVENT_TYPES_URL: z.string().default("https://pryv.github.io/event-types/flat.json"),
  TRUSTED_APPS: z.string().optional(),
  ADMIN_KEY: z.string().optional(),
  REGISTRATION: z.enum(["open", "invitation", "closed"]).default("open"),
  INVITATION_TOKENS: z.string().optional(),
  RESERVED_USERNAMES: z.string().optional(),
  PASSWORD_MIN_LENGTH: intVar("PASSWORD_MIN_LENGTH", 4, 100).default(6),
  PASSWORD_MIN_CHAR_CATEGORIES: intVar("PASSWORD_MIN_CHAR_CATEGORIES", 1, 4).default(1),
  SESSION_MAX_AGE: intVar("SESSION_MAX_AGE", 60, 10 * 365 * 24 * 3600).default(14 * 24 * 3600),
  LOGIN_MAX_FAILURES: intVar("LOGIN_MAX_FAILURES", 1, 1000).default(5),
  LOGIN_LOCK_SECONDS: intVar("LOGIN_LOCK_SECONDS", 1, 24 * 3600).default(300),
  MAX_BODY_BYTES: intVar("MAX_BODY_BYTES", 1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  MAX_FILE_BYTES: intVar("MAX_FILE_BYTES", 1, 5 * 1024 * 1024 * 1024).default(50 * 1024 * 1024),
  // Workers accept request bodies up to 100 MB (more on higher plans).
  MAX_UPLOAD_BYTES: intVar("MAX_UPLOAD_BYTES", 1024, 5 * 1024 * 1024 * 1024).default(60 * 1024 * 1024),
  SOCKET_PING_INTERVAL_MS: intVar("SOCKET_PING_INTERVAL_MS", 200, 10 * 60 * 1000).default(25_000),
  WEBHOOKS_ALLOW_PRIVATE: z.enum(["true", "false"], { error: "WEBHOOKS_ALLOW_PRIVATE must be true or false" }).default("false"),
  D1_READ_REPLICAS: z.enum(["off", "on"], { error: "D1_READ_REPLICAS must be off or on" }).default("off"),
});

/** `*` matches any run of non-space characters; everything else is literal. */
export function wildcardToRegExp(pattern: string): RegExp {
  return new RegExp(`^${starsToRegExp(pattern, "\\S*")}$`, "i");
}

/**
 * A URL pattern: a `*` in the host part matches one host label or a port (no `.`, `/`, `?`,
 * `#`, `@`), one in the path does not reach the query. So neither `https://evil.test/.example.com`
 * nor `https://app.example.com.evil.test` matches `https://*.example.com*`, as a plain wildcard would.
 */
export function urlWildcardToRegExp(pattern: string): RegExp {
  if (!pattern.includes("://")) return wildcardToRegExp(pattern); // `*`: anything, no origin too
  const hostEnd = pattern.indexOf("/", pattern.indexOf("://") + 3);
  const host = hostEnd < 0 ? pattern : pattern.slice(0, hostEnd);
  const path = hostEnd < 0 ? "" : pattern.slice(hostEnd);
  return new RegExp(`^${starsToRegExp(host, "[^\\s/?#@.]*")}${starsToRegExp(path, "[^\\s?#]*")}$`, "i");
}

function starsToRegExp(pattern: string, star: string): string {
  return pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(star);
}

/** `appId@originPattern` entries, comma separated. */
/** `ownOrigins` (the service's and its sign-in pages') are always trusted. */
function parseTrustedApps(value: string, ownOrigins: string[]): TrustedApp[] {
  const entries = list(value).map((entry) => {
    const at = entry.indexOf("@");
    if (at <= 0) throw new Error(`TRUSTED_APPS entry "${entry}" is not of the form appId@origin`);
    return { appId: wildcardToRegExp(entry.slice(0, at)), origin: urlWildcardToRegExp(entry.slice(at + 1)) };
  });
  for (const origin of new Set(ownOrigins)) entries.push({ appId: wildcardToRegExp("*"), origin: urlWildcardToRegExp(origin) });
  return entries;
}

/** Every core as a hosting, grouped by region (one zone per region). */
function defaultHostings(cores: Record<string, string>, regions: Record<string, string>) {
  const out: Record<string, { name: string; localizedName: object; zones: Record<string, { name: string; localizedName: object; hostings: Record<string, object> }> }> = {};
  for (const [coreId, coreUrl] of Object.entries(cores)) {
    const region = regions[coreId]!;
    const zone = (out[region] ??= {
      name: region,
      localizedName: { en: region },
      zones: { [region]: { name: region, localizedName: { en: region }, hostings: {} } },
    }).zones[region]!;
    zone.hostings[coreId] = {
      url: coreUrl,
      name: coreId,
      description: `Core "${coreId}" in region "${region}"`,
      localizedDescription: {},
      available: true,
      availableCore: `${coreUrl}/`,
    };
  }
  return { regions: out };
}

/** `appId:secret` pairs, comma separated (APP_SECRETS). */
function parseAppSecrets(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of list(value)) {
    const at = entry.indexOf(":");
    if (at <= 0 || entry.length - at - 1 < 16) throw new Error("APP_SECRETS entries are appId:secret, secrets of 16 characters or more");
    out.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return out;
}

function registeredApps(apps: NonNullable<z.output<typeof varsSchema>["APPS"]>, secrets: Map<string, string>): RegisteredApp[] {
  for (const id of secrets.keys()) {
    if (!apps.some((a) => a.id === id)) throw new Error(`APP_SECRETS names "${id}", which is not in APPS`);
  }
  return apps.map((a) => ({
    id: a.id,
    name: a.name ?? a.id,
    returnURLs: a.returnURLs ?? [],
    origins: (a.origins ?? []).map((o) => new URL(o).origin),
    secret: secrets.get(a.id) ?? null,
  }));
}

export function parseConfig(env: Env): Config {
  const vars = varsSchema.parse(env);
  const isLocal = vars.ENVIRONMENT === "local";
  const publicUrl = vars.PUBLIC_URL;
  const domain = vars.DOMAIN || null;
  const coreEntries = Object.entries(vars.CORES ?? { [vars.CORE_ID]: publicUrl });
  const cores = Object.fromEntries(coreEntries.map(([id, e]) => [id, typeof e === "string" ? e : e.url]));
  const coreRegions = Object.fromEntries(
    coreEntries.map(([id, e]) => [id, (typeof e === "string" ? undefined : e.region) ?? vars.REGION]),
  );
  // A register hosts no account: it needs no entry of its own.
  if (vars.ROLE !== "register" && !cores[vars.CORE_ID]) throw new Error(`CORES has no entry for CORE_ID "${vars.CORE_ID}"`);
  const registerKey = vars.REGISTER_KEY || null;
  if (vars.ROLE === "core" && (!registerKey || (!vars.REGISTER_URL && !env.REGISTER))) {
    throw new Error("ROLE=core needs REGISTER_KEY and REGISTER_URL (or the REGISTER service binding) to reach the register");
  }
  // The pages live with the register: `…/reg/auth` DNS-less (a core's register is at REGISTER_URL),
  // `https://reg.{domain}/auth` with a domain. Their origin is trusted for login, on cores too.
  const registerHome = vars.ROLE === "core" && vars.REGISTER_URL ? vars.REGISTER_URL : publicUrl;
  const registerBase = domain ? `${new URL(publicUrl).protocol}//reg.${domain}` : `${registerHome}/reg`;
  const authUrl = vars.AUTH_URL ?? `${registerBase}/auth`;
  const mailSender = vars.MAIL_SENDER ?? (isLocal ? "outbox" : "none");
  if (mailSender === "outbox" && !isLocal) throw new Error("MAIL_SENDER=outbox is for local development only");
  if (mailSender === "http" && (!vars.MAIL_API_URL || !vars.MAIL_API_KEY)) {
    throw new Error("MAIL_SENDER=http needs MAIL_API_URL and MAIL_API_KEY");
  }
  const trustedDefault = isLocal ? "*@http://localhost:*, *@http://127.0.0.1:*" : "";
  return {
    isLocal,
    publicUrl,
    domain,
    role: vars.ROLE,
    region: vars.REGION,
    coreId: vars.CORE_ID,
    cores,
    coreRegions,
    register: { url: vars.REGISTER_URL ?? null, key: registerKey },
    hostings: vars.HOSTINGS ?? defaultHostings(cores, coreRegions),
    apps: vars.APPS ?? [],
    service: {
      name: vars.SERVICE_NAME,
      home: vars.SERVICE_HOME,
      support: vars.SERVICE_SUPPORT,
      terms: vars.SERVICE_TERMS,
      serial: vars.SERVICE_SERIAL,
      eventTypes: vars.EVENT_TYPES_URL,
    },
    trustedApps: parseTrustedApps(vars.TRUSTED_APPS ?? trustedDefault, [new URL(publicUrl).origin, new URL(authUrl).origin]),
    adminKey: vars.ADMIN_KEY || null,
    registration: vars.REGISTRATION,
    invitationTokens: list(vars.INVITATION_TOKENS),
    extraReservedUsernames: list(vars.RESERVED_USERNAMES).map((u) => u.toLowerCase()),
    password: { minLength: vars.PASSWORD_MIN_LENGTH, minCharCategories: vars.PASSWORD_MIN_CHAR_CATEGORIES },
    sessionMaxAgeSeconds: vars.SESSION_MAX_AGE,
    login: { maxFailures: vars.LOGIN_MAX_FAILURES, lockSeconds: vars.LOGIN_LOCK_SECONDS },
    maxBodyBytes: vars.MAX_BODY_BYTES,
    files: { maxFileBytes: vars.MAX_FILE_BYTES, maxUploadBytes: vars.MAX_UPLOAD_BYTES },
    sockets: { pingIntervalMs: vars.SOCKET_PING_INTERVAL_MS },
    webhooks: { allowPrivateTargets: vars.WEBHOOKS_ALLOW_PRIVATE === "true" },
    accessRequests: {
      ttlSeconds: vars.ACCESS_REQUEST_TTL,
      pollRateMs: 1000,
      authUrl,
      trustedAuthUrls: [authUrl, ...list(vars.TRUSTED_AUTH_URLS)].map(urlWildcardToRegExp),
      mode: vars.ACCESS_REQUESTS,
    },
    registeredApps: registeredApps(vars.APPS ?? [], parseAppSecrets(vars.APP_SECRETS)),
    mail: {
      sender: mailSender,
      from: vars.MAIL_FROM ?? `no-reply@${domain ?? new URL(publicUrl).hostname}`,
      apiUrl: vars.MAIL_API_URL ?? null,
      apiKey: vars.MAIL_API_KEY || null,
    },
    passwordReset: { ttlSeconds: vars.PASSWORD_RESET_TTL },
    secretsKey: vars.SECRETS_KEY || null,
    d1ReadReplicas: vars.D1_READ_REPLICAS === "on",
  };
}

const cache = new WeakMap<object, Config | ApiError>();

/**
 * The parsed configuration for these bindings. A misconfiguration answers every
 * request with 503 `api-unavailable` naming the bad variable, rather than a 500.
 */
export function getConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    try {
      config = parseConfig(env);
    } catch (err) {
      const detail =
        err instanceof z.ZodError
          ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
          : err instanceof Error
            ? err.message
            : String(err);
      config = errors.apiUnavailable(`Service misconfigured: ${detail}`);
    }
    cache.set(env, config);
  }
  if (config instanceof ApiError) throw config;
  return config;
}
