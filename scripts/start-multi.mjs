#!/usr/bin/env node
// `npm run start:multi`: a register and two cores in two regions, each its own
// `wrangler dev` with its own state (D1, R2, KV, Durable Objects) under
// .wrangler/multi/<node>, linked over HTTP with a shared REGISTER_KEY — the
// "HTTPS with a shared key" path of docs/platform.md. Also used by the
// `platform` test project (test/platform/global-setup.mjs) on free ports.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.join(import.meta.dirname, "..");
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
// No telemetry, no lookup of the Request.cf object; CI answers wrangler's "continue?" prompt.
// The project's own Node (the `node` package, as npm scripts put node_modules/.bin first): wrangler needs 22+.
const wranglerEnv = {
  ...process.env,
  PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: "true",
};

const run = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn(wrangler, args, { cwd: root, env: wranglerEnv, stdio: "ignore" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} failed (${code})`))));
  });

async function waitUntilUp(base, deadline) {
  for (;;) {
    try {
      if ((await fetch(`${base}/favicon.ico`)).status === 204) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${base} did not start in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts the three nodes; resolves once all answer. `ports`: {register, coreA, coreB, inspector: [3 ports]};
 * `stateDir`: where each node keeps its state; `vars`: extra variables for every node.
 * Returns {urls, adminKey, registerKey, stop()}.
 */
export async function startMultiNode({ ports, stateDir, vars = {}, stdio = "inherit" }) {
  const url = (port) => `http://127.0.0.1:${port}`;
  const urls = { register: url(ports.register), coreA: url(ports.coreA), coreB: url(ports.coreB) };
  const registerKey = vars.REGISTER_KEY ?? randomBytes(24).toString("base64url");
  const adminKey = vars.ADMIN_KEY ?? randomBytes(24).toString("base64url");
  const cores = JSON.stringify({
    "core-a": { url: urls.coreA, region: "europe" },
    "core-b": { url: urls.coreB, region: "america" },
  });
  const common = { ...vars, CORES: cores, REGISTER_KEY: registerKey, ADMIN_KEY: adminKey };
  const nodes = [
    { name: "register", port: ports.register, vars: { ...common, ROLE: "register", PUBLIC_URL: urls.register, REGION: "europe" } },
    {
      name: "core-a",
      port: ports.coreA,
      vars: { ...common, ROLE: "core", CORE_ID: "core-a", REGION: "europe", PUBLIC_URL: urls.coreA, REGISTER_URL: urls.register },
    },
    {
      name: "core-b",
      port: ports.coreB,
      vars: { ...common, ROLE: "core", CORE_ID: "core-b", REGION: "america", PUBLIC_URL: urls.coreB, REGISTER_URL: urls.register },
    },
  ];
  const children = [];
  const stop = async () => {
    for (const child of children) {
      try {
        process.kill(-child.pid, "SIGTERM"); // wrangler and its workerd
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  };
  try {
    // One at a time: concurrent `migrations apply` runs trip over each other.
    for (const node of nodes) {
      mkdirSync(path.join(stateDir, node.name), { recursive: true });
      await run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", path.join(stateDir, node.name)]);
    }
    nodes.forEach((node, i) => {
      const varArgs = Object.entries(node.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
      const child = spawn(
        wrangler,
        [
          "dev", "--name", `pryv-edge-${node.name}`, "--port", String(node.port), "--ip", "127.0.0.1",
          "--inspector-port", String(ports.inspector[i]), "--persist-to", path.join(stateDir, node.name),
          "--log-level", "warn", ...varArgs,
        ],
        { cwd: root, env: wranglerEnv, stdio: ["ignore", stdio, "inherit"], detached: true },
      );
      children.push(child);
    });
    const deadline = Date.now() + 120_000;
    await Promise.all(Object.values(urls).map((base) => waitUntilUp(base, deadline)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { urls, adminKey, registerKey, stop };
}

async function main() {
  const stateDir = path.join(root, ".wrangler", "multi");
  const { urls, adminKey, stop } = await startMultiNode({
    ports: { register: 8787, coreA: 8788, coreB: 8789, inspector: [9230, 9231, 9232] },
    stateDir,
    stdio: "ignore",
  });
  const R = urls.register;
  process.stdout.write(`
  A register and two cores are up (local, DNS-less; docs/platform.md):
    register  ${R}   (directory, service info, admin; forwards /{username}/… to the account's core)
    core-a    ${urls.coreA}   region europe
    core-b    ${urls.coreB}   region america
  State under .wrangler/multi/ (kept between runs); REGISTER_KEY and ADMIN_KEY are new each run.

  curl ${R}/reg/hostings
  curl -X POST ${urls.coreA}/users -H 'Content-Type: application/json' \\
    -d '{"appId":"my-app-id","username":"alice","password":"alice-pass","email":"alice@example.com"}'
  curl -X POST ${urls.coreB}/users -H 'Content-Type: application/json' \\
    -d '{"appId":"my-app-id","username":"bob","password":"bob-pass","email":"bob@example.com"}'
  curl -X POST ${R}/reg/alice/server            # → core-a
  curl "${R}/reg/cores?username=bob"            # → core-b
  curl -X POST ${R}/bob/auth/login -H 'Content-Type: application/json' -H 'Origin: ${R}' \\
    -d '{"appId":"my-app-id","username":"bob","password":"bob-pass"}'   # through the register
  curl ${urls.coreA}/bob/account                # 421 wrong-core, naming core-b
  curl ${R}/reg/admin/servers -H 'Authorization: ${adminKey}'

  Ctrl-C stops all three.
`);
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stop().then(() => process.exit(0)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
