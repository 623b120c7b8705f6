import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

const root = path.join(import.meta.dirname, "..");
const eventTypesFixture = readFileSync(path.join(root, "test/fixtures/event-types.json"), "utf8");

/**
 * The Worker's only outside calls (the event-types list) reach this instead
 * of the network: the configured URL answers with a fixture; anything else
 * fails as an unreachable host would.
 */
function outbound(available: boolean) {
  return async (request: Request) => {
    if (available && request.url === "https://pryv.github.io/event-types/flat.json") {
      return new Response(eventTypesFixture, { headers: { "Content-Type": "application/json" } });
    }
    if (new URL(request.url).host === WEBHOOK_RECEIVER) return webhookReceiver(request);
    throw new Error(`no network in tests (${request.url})`);
  };
}

/**
 * The webhooks' test receiver (test/webhooks/): it answers per path, and the
 * tests observe deliveries through each webhook's own `runs` (this runs in
 * Node, out of the tests' reach). `/ok` 200; `/fail` 500; `/check?messages=a,b`
 * 200 only for a well-formed call carrying exactly those messages, else 400;
 * `/redirect` 302 to a loopback address; `/slow` answers after 12 s.
 */
const WEBHOOK_RECEIVER = "webhook-receiver.test";
async function webhookReceiver(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname === "/ok") return new Response("fine");
  if (url.pathname === "/fail") return new Response("nope", { status: 500 });
  if (url.pathname === "/redirect") return new Response(null, { status: 302, headers: { Location: "http://127.0.0.1:8787/" } });
  if (url.pathname === "/slow") {
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    return new Response("late");
  }
  if (url.pathname === "/check") {
    const expected = (url.searchParams.get("messages") ?? "").split(",").filter(Boolean).sort();
    const body = (await request.json().catch(() => null)) as { messages?: unknown; meta?: Record<string, unknown> } | null;
    const wellFormed =
      request.method === "POST" &&
      (request.headers.get("Content-Type") ?? "").startsWith("application/json") &&
      Array.isArray(body?.messages) &&
      typeof body?.meta?.apiVersion === "string" &&
      typeof body?.meta?.serverTime === "number" &&
      typeof body?.meta?.serial === "string";
    const same = wellFormed && JSON.stringify([...(body!.messages as string[])].sort()) === JSON.stringify(expected);
    return new Response(same ? "ok" : "unexpected", { status: same ? 200 : 400 });
  }
  return new Response("unknown path", { status: 404 });
}

/**
 * One project per configuration: `api` runs the Worker as wrangler.toml
 * configures it locally; each file in test/config/ runs it again with the
 * variables it names (invitation-only registration, subdomain mode, …).
 */
const VARIANTS: Record<string, Record<string, string>> = {
  "config-gated": {
    // The event-types source is unreachable here: the built-in definitions serve.
    EVENT_TYPES_OFFLINE: "true",
    REGISTRATION: "invitation",
    INVITATION_TOKENS: "enjoy,welcome-2026",
    PASSWORD_MIN_LENGTH: "10",
    PASSWORD_MIN_CHAR_CATEGORIES: "3",
    LOGIN_MAX_FAILURES: "2",
    // No built-in development key any more: every project names its own (a developer's .dev.vars must not leak in).
    ADMIN_KEY: "gated-admin-key-for-tests-0123",
    MAX_FILE_BYTES: "100000",
    MAX_UPLOAD_BYTES: "250000",
  },
  "config-local-keyless": {
    // Local mode without ADMIN_KEY ("" overrides one a developer's .dev.vars may hold).
    ADMIN_KEY: "",
    SECRETS_KEY: "", // likewise the MFA key `npm start` writes there
  },
  "config-production": {
    ENVIRONMENT: "production",
    PUBLIC_URL: "https://pryv.test",
    DOMAIN: "pryv.test",
    TRUSTED_APPS: "*@https://*.pryv.test*, mobile-app@*",
    ADMIN_KEY: "a-long-and-random-admin-key-for-tests",
    RESERVED_USERNAMES: "acme-corp,support-team",
  },
  "config-register-role": {
    ENVIRONMENT: "production",
    PUBLIC_URL: "https://reg.pryv.test",
    ROLE: "register",
    REGISTRATION: "closed",
    ADMIN_KEY: "dev-admin-key",
  },
};

// Access requests only from the apps the operator registered (test/config/registered-apps.test.ts).
VARIANTS["config-registered-apps"] = {
  ADMIN_KEY: "registered-apps-admin-key-0123456789",
  ACCESS_REQUESTS: "registered",
  APPS: JSON.stringify([
    { id: "diary-app", name: "Diary by Example Health", returnURLs: ["https://diary.example.com/auth/"], origins: ["https://diary.example.com"] },
    { id: "lab-backend", name: "Example Lab" },
  ]),
  APP_SECRETS: "lab-backend:lab-backend-secret-0123456789",
};

// D1 read replicas through the Sessions API (test/config/replicas.test.ts).
VARIANTS["config-replicas"] = { ADMIN_KEY: "replicas-admin-key-0123456789abc", D1_READ_REPLICAS: "on" };
// Bench mode (src/shared/trace.ts): the round trips and phases every answer reports in `Server-Timing`.
VARIANTS["config-bench"] = { ADMIN_KEY: "bench-admin-key-0123456789abcdef", BENCH_ROUTES: "true" };

// Production again, with the webhooks' target rule as deployed (no private targets).
VARIANTS["config-production-webhooks"] = { ...VARIANTS["config-production"]!, WEBHOOKS_ALLOW_PRIVATE: "false" };

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  const project = (name: string, include: string[], exclude: string[], vars: Record<string, string> = {}) =>
    ({
      plugins: [
        cloudflareTest({
          wrangler: { configPath: path.join(root, "wrangler.toml") },
          miniflare: {
            bindings: { TEST_MIGRATIONS: migrations, ...vars },
            outboundService: outbound(vars.EVENT_TYPES_OFFLINE !== "true"),
          },
        }),
      ],
      test: {
        name,
        root,
        include,
        exclude,
        // Every response is also held to the OpenAPI document (test/setup/openapi-responses.ts).
        setupFiles: [path.join(root, "test/setup/apply-migrations.ts"), path.join(root, "test/setup/openapi-responses.ts")],
        testTimeout: 30_000,
        hookTimeout: 30_000,
      },
    }) satisfies TestProjectInlineConfiguration;
  return {
    root,
    test: {
      projects: [
        project("api", ["test/**/*.test.ts"], ["test/config/**"], {
          ADMIN_KEY: "test-admin-key-0123456789abcdef", // = TEST_ADMIN_KEY
          SECRETS_KEY: "test-secrets-key-0123456789abcdef-0123",
          // Half-registrations on demand (test/register/directory.test.ts): see src/register/register.methods.ts.
          REGISTER_TEST_FAULTS: "true",
        }),
        ...Object.entries(VARIANTS).map(([name, vars]) =>
          project(name, [`test/config/${name.replace(/^config-/, "")}.test.ts`], [], vars),
        ),
        // Under Node: a register and two cores, each a real `wrangler dev` (scripts/start-multi.mjs).
        {
          test: {
            name: "platform",
            root,
            include: ["test/platform/**/*.spec.ts"],
            environment: "node",
            globalSetup: [path.join(root, "test/platform/global-setup.mjs")],
            testTimeout: 30_000,
            hookTimeout: 150_000,
          },
        },
        // Under Node, against one real `wrangler dev` (test/notifications/wrangler-dev.mjs): the official
        // socket clients, and headless Chromium on the consent pages (test/pages/).
        {
          test: {
            name: "notifications",
            root,
            // test/openapi/*.spec.ts: the document against the OpenAPI 3.1 schema (an Ajv-based validator, Node only).
            include: ["test/notifications/**/*.spec.ts", "test/pages/**/*.spec.ts", "test/openapi/**/*.spec.ts"],
            environment: "node",
            globalSetup: [path.join(root, "test/notifications/wrangler-dev.mjs")],
            testTimeout: 30_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
