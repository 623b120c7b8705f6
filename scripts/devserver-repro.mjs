#!/usr/bin/env node
// Minimal reproduction of `wrangler dev` dying on client disconnects and keep-alive resets
// (docs/devserver-crash.md). Self-contained: writes a hello-world Worker (+ one Durable
// Object) to a temp folder, starts this project's `wrangler dev` on it and:
//   1. one client announces a 100 kB body, sends 1 kB and drops the connection;
//   2. (unless --abort-only) 3 rounds of 200 keep-alive clients x 10 POSTs, each answered after a
//      Durable Object write, with one more DO call left running in ctx.waitUntil().
// Then it checks that the server still answers.
//
//   node scripts/devserver-repro.mjs 8801 [--abort-only | --writes-only] [--keep]
//
// Exit 0: the server survived (and no reset on the writes). Exit 1: it died (or resets).
// wrangler needs node >= 22: the child gets node_modules/.bin (the `node` devDependency) first on PATH.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: devserver-repro.mjs PORT [--abort-only | --writes-only] [--keep]");
  process.exit(2);
}
const abortOnly = process.argv.includes("--abort-only");
const writesOnly = process.argv.includes("--writes-only"); // skip step 1
const keep = process.argv.includes("--keep");
const projectRoot = path.resolve(import.meta.dirname, "..");
const wranglerBin = path.join(projectRoot, "node_modules", ".bin", "wrangler");

const dir = mkdtempSync(path.join(os.tmpdir(), "devserver-repro-"));
writeFileSync(
  path.join(dir, "worker.js"),
  `import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async add(body) { const n = (this.ctx.storage.kv.get("n") ?? 0) + 1; this.ctx.storage.kv.put("n", n); return n; }
  async note(body) { this.ctx.storage.kv.put("note:" + Date.now() + ":" + Math.random(), body.length); }
}
export default {
  async fetch(request, env, ctx) {
    const body = request.body ? await request.text() : "";
    if (request.method !== "POST") return new Response("hello");
    const stub = env.COUNTER.get(env.COUNTER.idFromName("one"));
    const n = await stub.add(body);
    ctx.waitUntil(stub.note(body)); // a DO call still running after the answer
    return Response.json({ n }, { status: 201 });
  },
};
`,
);
writeFileSync(
  path.join(dir, "wrangler.toml"),
  `name = "devserver-repro"
main = "worker.js"
compatibility_date = "2026-08-01"
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
`,
);

const env = {
  ...process.env,
  PATH: `${path.join(projectRoot, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}`, // node 22 from the `node` devDependency
  WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
const child = spawn(wranglerBin, ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(port + 1)], {
  cwd: dir,
  env,
  stdio: ["ignore", "pipe", "pipe"],
  detached: true, // own process group: stopped with its workerd children at the end
});
let log = "";
child.stdout.on("data", (c) => (log += c));
child.stderr.on("data", (c) => (log += c));
let exited = null;
child.on("exit", (code, signal) => (exited = { code, signal }));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function get() {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}
function finish(code, message) {
  console.log(message);
  if (code !== 0) console.log(`--- wrangler output (last 1500 chars) ---\n${log.slice(-1500)}`);
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {}
  if (!keep) rmSync(dir, { recursive: true, force: true });
  setTimeout(() => process.exit(code), 500);
}

// Wait (bounded) for the server.
let ready = false;
for (let i = 0; i < 60 && !exited; i++) {
  if (await get()) {
    ready = true;
    break;
  }
  await sleep(1000);
}
if (!ready) finish(2, `wrangler dev did not start on port ${port} (${JSON.stringify(exited)})`);
else {
  const version = /wrangler (\d+\.\d+\.\d+)/.exec(log)?.[1] ?? "?";

  // 1. A client that drops its connection while sending the body.
  if (!writesOnly) await new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => {
      s.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n`);
      s.write(Buffer.alloc(1000, 97));
      setTimeout(() => {
        s.destroy();
        resolve();
      }, 300);
    });
    s.on("error", resolve);
  });
  if (!writesOnly) await sleep(2000);
  const afterAbort = !exited && (await get());

  // 2. Concurrent keep-alive writers.
  const stats = {};
  if (afterAbort && !abortOnly) {
    const post = (agent) =>
      new Promise((resolve) => {
        const data = '{"x":"y"}';
        const req = http.request(
          { host: "127.0.0.1", port, path: "/", method: "POST", agent, timeout: 30000,
            headers: { "Content-Type": "application/json", "Content-Length": data.length } },
          (res) => {
            res.resume();
            res.on("end", () => resolve(String(res.statusCode)));
          },
        );
        req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
        req.on("error", (e) => resolve((req.reusedSocket ? "reused-" : "fresh-") + e.code));
        req.end(data);
      });
    for (let round = 0; round < 3 && !exited; round++) await Promise.all(
      Array.from({ length: 200 }, async () => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        for (let i = 0; i < 10; i++) {
          const s = await post(agent);
          stats[s] = (stats[s] ?? 0) + 1;
        }
        agent.destroy();
      }),
    );
    await sleep(2000);
  }
  const alive = !exited && (await get());
  const ok = Object.keys(stats).every((k) => k === "201");
  const summary = `wrangler ${version}: ` + (writesOnly ? "(no aborted body)" : `after the aborted body the server ${afterAbort ? "answers" : "is DEAD"}`) +
    (abortOnly || !afterAbort ? "" : `; 3x200x10 keep-alive writes: ${JSON.stringify(stats)}; server ${alive ? "answers" : "is DEAD"}`);
  finish(alive && ok ? 0 : 1, summary);
}
