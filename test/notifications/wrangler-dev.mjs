// globalSetup of the `notifications` project: the official socket clients run
// under Node against a real `wrangler dev` (fresh state, its own port), as
// bench/run.mjs starts it; stopped (its process group) at teardown.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../helpers/free-port.mjs";

const root = path.join(import.meta.dirname, "..", "..");
export const ADMIN_KEY = "notifications-admin-key-0123456789";
export const SECRETS_KEY = "dev-server-secrets-key-0123456789abcdef";
/** Short pings, so tests see sockets kept alive across several of them. */
export const PING_INTERVAL_MS = 1000;

let server;
let state;

const run = (cmd, args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: "ignore" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} failed (${code})`))));
  });

export async function setup({ provide }) {
  const PORT = Number(process.env.NOTIFICATIONS_PORT) || (await freePort());
  const BASE = `http://127.0.0.1:${PORT}`;
  state = mkdtempSync(path.join(tmpdir(), "pryv-notifications-"));
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
  const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
  await run(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], env);
  server = spawn(
    wrangler,
    [
      "dev", "--port", String(PORT), "--ip", "127.0.0.1", "--persist-to", state,
      "--var", `PUBLIC_URL:${BASE}`, "--var", `ADMIN_KEY:${ADMIN_KEY}`,
      "--var", `SOCKET_PING_INTERVAL_MS:${PING_INTERVAL_MS}`,
      "--var", `SECRETS_KEY:${SECRETS_KEY}`,
      "--var", "SOCKET_DEBUG:true", // JSON sockets answer `debug.instance` (the hibernation test)
      "--log-level", "warn",
    ],
    { cwd: root, env, stdio: ["ignore", "ignore", "inherit"], detached: true },
  );
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${BASE}/favicon.ico`)).status === 204) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("wrangler dev did not start in 90 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  provide("socketBase", BASE);
}

export async function teardown() {
  try {
    process.kill(-server.pid, "SIGTERM"); // wrangler and its workerd
  } catch {
    // already gone
  }
  await new Promise((r) => setTimeout(r, 500));
  rmSync(state, { recursive: true, force: true });
}
