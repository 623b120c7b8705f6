#!/usr/bin/env node
// `npm run bench`: starts `wrangler dev` on its own port with a fresh local
// state, prepares data through the API, then measures each scenario
// (requests/s, latency p50/p90/p99) right after a trivial Hono route measured
// the same way, so every figure has its baseline from the same run.
// Results: bench/results/latest.{json,md}. Traffic goes to 127.0.0.1 only;
// every loop is bounded in requests and time.
//
// Options (env): BENCH_PORT (8791), BENCH_SECONDS per scenario (8),
// BENCH_CONCURRENCY (8), BENCH_EVENTS in the big account (100000),
// BENCH_SCENARIOS (comma list of ids; default all), BENCH_OUT (results path
// without extension; default bench/results/latest). Notification scenarios
// (notify-1, notify-100, notify-1000): see bench/notifications.mjs.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { scenarios as httpScenarios } from "./scenarios.mjs";
import { notificationScenarios } from "./notifications.mjs";

const scenarios = [...httpScenarios, ...notificationScenarios];

const PORT = Number(process.env.BENCH_PORT ?? 8791);
const BASE = `http://127.0.0.1:${PORT}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MAX_REQUESTS = 200_000;
const root = path.join(import.meta.dirname, "..");

function startServer(state) {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
  const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
  const migrate = spawn(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, env, stdio: "ignore" });
  return new Promise((resolve, reject) => {
    migrate.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`migrations failed (${code})`));
      const server = spawn(
        wrangler,
        ["dev", "--port", String(PORT), "--ip", "127.0.0.1", "--persist-to", state, "--var", `PUBLIC_URL:${BASE}`, "--var", "BENCH_ROUTES:true", "--log-level", "warn"],
        { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
      );
      const timer = setTimeout(() => reject(new Error("wrangler dev did not start in 60 s")), 60_000);
      const poll = setInterval(async () => {
        try {
          if ((await fetch(`${BASE}/favicon.ico`)).status === 204) {
            clearInterval(poll);
            clearTimeout(timer);
            resolve(server);
          }
        } catch {
          // not up yet
        }
      }, 250);
    });
  });
}

function stopServer(server) {
  try {
    process.kill(-server.pid, "SIGTERM"); // the whole group: wrangler and its workerd
  } catch {
    // already gone
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `request` from `concurrency` loops for SECONDS (at most MAX_REQUESTS); MB/s when `bytes` per request is given. */
async function measure(request, concurrency = CONCURRENCY, bytes = 0) {
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  async function loop() {
    while (performance.now() < deadline && latencies.length + errors < MAX_REQUESTS) {
      const t0 = performance.now();
      try {
        const res = await request();
        await res.arrayBuffer();
        if (res.status >= 400) errors++;
        else latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: Math.round(latencies.length / elapsed),
    p50: Number(percentile(latencies, 50)?.toFixed(1)),
    p90: Number(percentile(latencies, 90)?.toFixed(1)),
    p99: Number(percentile(latencies, 99)?.toFixed(1)),
    ...(bytes ? { mbps: Number(((latencies.length * bytes) / elapsed / 1e6).toFixed(1)) } : {}),
  };
}

const baselineRequest = () => fetch(`${BASE}/favicon.ico`);

async function main() {
  const state = mkdtempSync(path.join(tmpdir(), "pryv-edge-bench-"));
  console.log(`Starting wrangler dev on ${BASE} (state in ${state}) …`);
  const server = await startServer(state);
  const results = [];
  try {
    const only = process.env.BENCH_SCENARIOS?.split(",");
    for (const scenario of scenarios.filter((s) => !only || only.includes(s.id))) {
      console.log(`\n${scenario.title}: preparing …`);
      const prepared = await scenario.prepare(BASE, { serverPid: server.pid, seconds: SECONDS });
      if (prepared.note) console.log(`  ${prepared.note}`);
      const concurrency = prepared.concurrency ?? CONCURRENCY;
      let baseline, measured, check, title, note, extra;
      if (prepared.run) {
        // A scenario measuring itself (notifications): baseline and measured from its own loop.
        ({ baseline, measured, title, note, extra } = await prepared.run());
        check = null;
        if (note) console.log(`  ${note}`);
      } else {
        baseline = await measure(prepared.baseline ?? baselineRequest, concurrency, prepared.bytes);
        measured = await measure(() => prepared.request(), concurrency, prepared.bytes);
        check = prepared.check ? await prepared.check() : null;
      }
      note = [prepared.note, note].filter(Boolean).join("; ");
      results.push({ id: scenario.id, title: title ?? scenario.title, note, concurrency, baseline, measured, check, ...(extra ? { extra } : {}) });
      const mb = (m) => (m.mbps !== undefined ? `  ${m.mbps} MB/s` : "");
      console.log(`  baseline  ${baseline.rps} req/s  p50 ${baseline.p50} ms  p99 ${baseline.p99} ms${mb(baseline)}`);
      console.log(`  scenario  ${measured.rps} req/s  p50 ${measured.p50} ms  p99 ${measured.p99} ms${mb(measured)}  (${measured.errors} errors)${check ? `  ${check}` : ""}`);
    }
  } finally {
    stopServer(server);
    rmSync(state, { recursive: true, force: true });
  }
  writeResults(results);
}

function writeResults(results) {
  const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(import.meta.dirname, "results", "latest");
  mkdirSync(path.dirname(out), { recursive: true });
  const when = new Date().toISOString();
  const setup = { seconds: SECONDS, concurrency: CONCURRENCY, node: process.version, cpus: cpus().length };
  writeFileSync(`${out}.json`, JSON.stringify({ when, setup, results }, null, 2) + "\n");
  const mb = (m) => (m.mbps !== undefined ? ` (${m.mbps} MB/s)` : "");
  const rows = results.map(
    (r) =>
      `| ${r.title} | ${r.concurrency} | ${r.measured.rps}${mb(r.measured)} | ${r.measured.p50} | ${r.measured.p99} | ${r.baseline.rps}${mb(r.baseline)} | ${r.baseline.p50} | ${r.baseline.p99} | ${r.measured.errors} |`,
  );
  const md = [
    `Measured ${when} — wrangler dev (local workerd, local D1/DO/R2), ${SECONDS} s per scenario, ${setup.cpus} CPU cores shared by client and server. Baseline: a trivial Hono route, or for files a bare R2 put/get route, measured the same way in the same run; for notifications, the same sequential creates' own HTTP latency (req/s = creates/s).`,
    "",
    "| scenario | clients | req/s | p50 ms | p99 ms | baseline req/s | baseline p50 | baseline p99 | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    ...results.filter((r) => r.note || r.check).map((r) => `- ${r.title}: ${[r.note, r.check].filter(Boolean).join("; ")}`),
  ].join("\n");
  writeFileSync(`${out}.md`, md + "\n");
  console.log(`\n${md}\n\nWritten to ${path.relative(process.cwd(), out) || out}.{json,md}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
