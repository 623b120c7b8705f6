#!/usr/bin/env node
// `npm start`: applies the local D1 migrations, runs `wrangler dev` on
// http://127.0.0.1:8787 and, once it is ready, prints what to try next.
// (A wrapper because wrangler has no hook to print after it is ready.)
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";

const BASE = "http://127.0.0.1:8787";
// No telemetry, no lookup of the Request.cf object: a local node makes no outside calls.
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

const migrate = spawnSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
  env: { ...env, CI: "true" }, // answers wrangler's "continue?" prompt
  stdio: "inherit",
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// There is no built-in admin key (anyone who can reach the port could use a published one):
// a random key is kept in .dev.vars (git-ignored, read by wrangler), made on the first run.
const DEV_VARS = ".dev.vars";
const devVars = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
let adminKey = /^ADMIN_KEY\s*=\s*"?([^"\n]*)"?\s*$/m.exec(devVars)?.[1];
if (!adminKey) {
  adminKey = randomBytes(24).toString("base64url"); // 32 characters, 192 bits
  appendFileSync(DEV_VARS, `${devVars && !devVars.endsWith("\n") ? "\n" : ""}ADMIN_KEY="${adminKey}"\n`, { mode: 0o600 });
}
// Likewise the key that encrypts MFA secrets at rest (SECRETS_KEY).
if (!/^SECRETS_KEY\s*=/m.test(readFileSync(DEV_VARS, "utf8"))) {
  appendFileSync(DEV_VARS, `SECRETS_KEY="${randomBytes(32).toString("base64url")}"\n`, { mode: 0o600 });
}
if (adminKey.length < 24) console.warn(`ADMIN_KEY in ${DEV_VARS} is shorter than 24 characters: the admin API stays disabled.`);

const HINT = `
  Pryv.io-compatible API ready on ${BASE} (local, DNS-less mode). Try:

  curl ${BASE}/reg/service/info
  curl -X POST ${BASE}/users -H 'Content-Type: application/json' \\
    -d '{"appId":"my-app-id","username":"alice","password":"alice-pass","email":"alice@example.com"}'
  curl -X POST ${BASE}/alice/auth/login -H 'Content-Type: application/json' -H 'Origin: ${BASE}' \\
    -d '{"appId":"my-app-id","username":"alice","password":"alice-pass"}'
  curl ${BASE}/alice/account -H 'Authorization: <token from the login>'
  curl ${BASE}/reg/admin/users -H 'Authorization: ${adminKey}'   # admin API (key in .dev.vars)

  Consent flow: POST an access request, open its authUrl in a browser, sign in, accept, poll:
  curl -X POST ${BASE}/reg/access -H 'Content-Type: application/json' \
    -d '{"requestingAppId":"my-diary","requestedPermissions":[{"streamId":"diary","defaultName":"Diary","level":"read"}]}'
  Mails (password reset) land in the local outbox: ${BASE}/reg/dev/outbox

  More in README.md. Ctrl-C stops the server; data stays under .wrangler/.
`;

const dev = spawn("wrangler", ["dev", ...process.argv.slice(2)], { env, stdio: ["inherit", "pipe", "inherit"] });
let hinted = false;
dev.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!hinted && /Ready on/i.test(String(chunk))) {
    hinted = true;
    process.stdout.write(HINT);
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
