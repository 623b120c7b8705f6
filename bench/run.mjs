#!/usr/bin/env node
// `npm run bench`: starts `wrangler dev` on its own port with a fresh local
// state, prepares data through the API, then measures each scenario
// (requests/s, latency p50/p90/p99) in slices alternating with the trivial
// route of issue 13 (GET /reg/service/info) measured the same way, so every
// figure has its baseline from the same run and the same moments.
// Results: bench/results/latest.{json,md}. Traffic goes to 127.0.0.1 only;
// every loop is bounded in requests and time.
//
// Every measured response carries the Worker's bench-mode `Server-Timing`
// (src/shared/trace.ts): the report gives D1 round trips per request and the
// mean ms per phase, per scenario.
//
// Options (env): BENCH_PORT (8791), BENCH_SECONDS per scenario (8),
// BENCH_ROUNDS of alternating baseline/scenario slices (3),
// BENCH_CONCURRENCY (8), BENCH_EVENTS in the big account (100000),
// BENCH_SCENARIOS (comma list of ids; default all), BENCH_OUT (results path
// without extension; default bench/results/latest). Notification scenarios
// (notify-1, notify-100, notify-1000): see bench/notifications.mjs.
// BENCH_PROFILE=<scenario id>: runs that scenario (unless BENCH_SCENARIOS says
// more) with wrangler's inspector on BENCH_INSPECTOR_PORT (9231), profiles the
// Worker during its measured load and writes bench/results/profile-<id>.{cpuprofile,md}
// (results then default to bench/results/profile-<id>-results.{json,md}, not latest);
// with BENCH_PROFILE_KIND=heap, the bytes it allocates per request instead:
// bench/results/profile-<id>-heap.{heapprofile,md}.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { send } from "./client.mjs";
import { bigAccountLoad, scenarios as httpScenarios } from "./scenarios.mjs";
import { notificationScenarios } from "./notifications.mjs";
import { cpuMeter, machineInfo } from "./machine.mjs";
import { timingTotals, wholeAnswerTrips } from "./server-timing.mjs";
import { profileKind, startProfiler, summariseHeapProfile, summariseProfile } from "./profile.mjs";
import { gcEnabled, gcServerOptions, gcSummary, watchGc } from "./gc-pauses.mjs";

const scenarios = [...httpScenarios, ...notificationScenarios];

const PORT = Number(process.env.BENCH_PORT ?? 8791);
const BASE = `http://127.0.0.1:${PORT}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const MAX_REQUESTS = 200_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE = process.env.BENCH_PROFILE || null;
const INSPECTOR_PORT = Number(process.env.BENCH_INSPECTOR_PORT ?? 9231);
const GOAL_SHARE = 40; // % of the baseline's req/s (issue 13)
const GOAL_TAIL = 3; // p99 ÷ p50
const GOAL_BATCH_1000_MS = 300;
const GOAL_LOAD_EVENTS_PER_S = 3000;
const root = path.join(import.meta.dirname, "..");

/** BENCH_GC=1: the collections workerd's isolates report (bench/gc-pauses.mjs). */
let gcPauses = null;

function startServer(state) {
  // X_LOCAL_OBSERVABILITY=false: wrangler dev's local trace store (on by default in wrangler 4.156) writes every
  // request's tail events to a SQLite file in the same workerd — about 10 kB of disk writes per request, on
  // the trivial route too. Production runs no such store on a request's thread; the bench measures without it.
  const gc = gcServerOptions();
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true", X_LOCAL_OBSERVABILITY: "false", ...gc.env };
  const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
  const migrate = spawn(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: root, env, stdio: "ignore" });
  return new Promise((resolve, reject) => {
    migrate.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`migrations failed (${code})`));
      const server = spawn(
        wrangler,
        [
          "dev", "--port", String(PORT), "--ip", "127.0.0.1", "--persist-to", state, "--var", `PUBLIC_URL:${BASE}`, "--var", "BENCH_ROUTES:true", "--log-level", gc.logLevel,
          ...(PROFILE ? ["--inspector-port", String(INSPECTOR_PORT)] : []),
        ],
        { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
      );
      if (gcEnabled) gcPauses = watchGc(server.stdout, PORT);
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

/**
 * Runs `request` from `concurrency` loops for `seconds` (at most MAX_REQUESTS), into `into` (a sampler).
 * `failed(text)`: an answer below 400 that is still an error (a batch with a failed call). The client is one
 * process with undici's keep-alive agent (bench/client.mjs); its CPU and the server's (wrangler + workerd) are recorded.
 */
async function runLoad(into, request, { concurrency = CONCURRENCY, failed = null, serverPid = null, seconds = SECONDS } = {}) {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu = cpuMeter(serverPid);
  let done = 0;
  async function loop(client) {
    while (performance.now() < deadline && done < MAX_REQUESTS) {
      const t0 = performance.now();
      done++;
      try {
        const res = await request();
        const bad = failed ? failed(await res.text()) : (await res.arrayBuffer(), false);
        if (res.status >= 400 || bad) into.errors++;
        else {
          const t1 = performance.now();
          into.latencies.push(t1 - t0);
          into.spans.push([t0, t1, client]);
          into.timing.add(res);
        }
      } catch {
        into.errors++;
      }
    }
  }
  const before = into.latencies.length;
  await Promise.all(Array.from({ length: concurrency }, (_, client) => loop(client)));
  into.concurrency = concurrency;
  into.intervals.push([started, performance.now()]);
  const elapsed = (performance.now() - started) / 1000;
  into.elapsed += elapsed;
  into.rounds.push({ rps: (into.latencies.length - before) / elapsed, cpu: cpu() });
}

const sampler = () => ({ latencies: [], spans: [], intervals: [], errors: 0, elapsed: 0, rounds: [], timing: timingTotals(), concurrency: 1 });

/**
 * Whole-server stalls, to tell a call's own tail from the runtime's: windows in which at least
 * three quarters of the clients had a slow request (over GOAL_TAIL × p50) in flight at once —
 * every request waited, whatever it was. `inStalls`: the share of slow requests inside such
 * windows; `perSecond`: how many windows a second; `tailOutside`: p99/p50 of the requests that
 * overlap no window (what the tail would be without them). Null below 4 clients.
 */
function stalls(spans, p50, concurrency, elapsed) {
  if (concurrency < 4 || !spans.length) return null;
  const slow = spans.filter(([a, b]) => b - a > GOAL_TAIL * p50).sort((x, y) => x[0] - y[0]);
  const windows = [];
  for (const [a, b, client] of slow) {
    const w = windows.at(-1);
    if (w && a <= w.end) {
      w.end = Math.max(w.end, b);
      w.clients.add(client);
      w.requests++;
    } else windows.push({ start: a, end: b, clients: new Set([client]), requests: 1 });
  }
  const shared = windows.filter((w) => w.clients.size >= Math.ceil(concurrency * 0.75));
  const overlaps = ([a, b]) => {
    // Windows are disjoint and sorted: only the last one starting before b can reach past a.
    let lo = 0, hi = shared.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (shared[mid].start < b) (found = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    return found >= 0 && shared[found].end > a;
  };
  const outside = spans.filter((span) => !overlaps(span)).map(([a, b]) => b - a).sort((x, y) => x - y);
  const inStalls = shared.reduce((sum, w) => sum + w.requests, 0);
  return {
    windows: shared,
    inStalls: slow.length ? inStalls / slow.length : 0,
    perSecond: shared.length / elapsed,
    tailOutside: outside.length ? percentile(outside, 99) / percentile(outside, 50) : null,
  };
}

const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Requests/s and latency percentiles of a sampler, over all its rounds; MB/s when `bytes` per request is given. */
function summary(s, bytes = 0) {
  const latencies = [...s.latencies].sort((a, b) => a - b);
  const cpuOf = (key) => {
    const values = s.rounds.map((r) => r.cpu[key]).filter((v) => v !== undefined);
    return values.length ? Math.round(mean(values)) : undefined;
  };
  const stalled = stalls(s.spans, percentile(latencies, 50), s.concurrency, s.elapsed);
  const gc = gcPauses ? gcSummary(gcPauses, s.intervals, stalled?.windows ?? []) : undefined;
  if (stalled) delete stalled.windows;
  return {
    requests: latencies.length,
    errors: s.errors,
    rps: Math.round(latencies.length / s.elapsed),
    p50: Number(percentile(latencies, 50)?.toFixed(1)),
    p90: Number(percentile(latencies, 90)?.toFixed(1)),
    p99: Number(percentile(latencies, 99)?.toFixed(1)),
    ...(bytes ? { mbps: Number(((latencies.length * bytes) / s.elapsed / 1e6).toFixed(1)) } : {}),
    stalls: stalled,
    gc,
    clientCpu: cpuOf("clientCpu"),
    serverCpu: cpuOf("serverCpu"),
    timing: s.timing.summary(),
  };
}

/** One load of SECONDS (the warm-up, and what the notification scenarios do not use). */
async function measure(request, options = {}) {
  const s = sampler();
  await runLoad(s, request, options);
  return summary(s, options.bytes);
}

/**
 * The baseline, the bare route, the D1 floor and the scenario in ROUNDS
 * alternating slices (SECONDS each in all): all see the same drift of a
 * shared machine. A share is the median of the rounds' scenario ÷ reference ratios.
 */
async function measureAlternating(baselineRequest, request, options) {
  const base = sampler();
  const bare = sampler();
  const floor = sampler();
  const load = sampler();
  const seconds = SECONDS / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    await runLoad(base, baselineRequest, { ...options, failed: null, seconds });
    if (options.bareToo) {
      await runLoad(bare, bareRequest, { ...options, failed: null, seconds });
      await runLoad(floor, floorRequest, { ...options, failed: null, seconds });
    }
    await runLoad(load, request, { ...options, seconds });
  }
  const shareOf = (against) => median(load.rounds.map((r, i) => r.rps / against.rounds[i].rps));
  return {
    baseline: summary(base, options.bytes),
    measured: summary(load, options.bytes),
    share: shareOf(base),
    ...(options.bareToo ? { bare: summary(bare), bareShare: shareOf(bare), floor: summary(floor), floorShare: shareOf(floor) } : {}),
  };
}

/** Profiles the Worker while `load` runs (CPU, or allocations with BENCH_PROFILE_KIND=heap): writes the profile and its summary. */
async function profiled(scenario, load) {
  const profiler = await startProfiler(INSPECTOR_PORT);
  let result;
  try {
    result = await load();
  } finally {
    const { profile, targets, scripts } = await profiler.stop();
    const heap = profileKind === "heap";
    const out = path.join(import.meta.dirname, "results", `profile-${scenario.id}${heap ? "-heap" : ""}`);
    const extension = heap ? "heapprofile" : "cpuprofile";
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(`${out}.${extension}`, JSON.stringify(profile));
    const context = { root, scenario: scenario.title, targets, scripts, requests: result?.requests ?? 0 };
    writeFileSync(`${out}.md`, heap ? summariseHeapProfile(profile, context) : summariseProfile(profile, context));
    console.log(`  profile written to ${path.relative(process.cwd(), out)}.{${extension},md}`);
  }
  return result;
}

/** The issue's trivial route: service.info through the router and the method registry, no I/O. */
const baselineRequest = () => send(`${BASE}/reg/service/info`);
/** A bare Hono route (204, no body, no method): what the runtime alone answers. */
const bareRequest = () => send(`${BASE}/favicon.ico`);
/** One bare D1 round trip (`SELECT 1`, src/db/raw-d1.routes.ts): the most a call needing D1 can do here. */
const floorRequest = () => send(`${BASE}/bench/d1`);

async function main() {
  const state = mkdtempSync(path.join(tmpdir(), "pryv-edge-bench-"));
  console.log(`Starting wrangler dev on ${BASE} (state in ${state}) …`);
  const server = await startServer(state);
  const results = [];
  try {
    // Warm-up, thrown away: the first scenario's baseline would otherwise measure a cold isolate and JIT.
    await measure(baselineRequest);
    await measure(bareRequest, { seconds: 2 });
    const only = process.env.BENCH_SCENARIOS?.split(",") ?? (PROFILE ? [PROFILE] : null);
    for (const scenario of scenarios.filter((s) => !only || only.includes(s.id))) {
      console.log(`\n${scenario.title}: preparing …`);
      const prepared = await scenario.prepare(BASE, { serverPid: server.pid, seconds: SECONDS });
      if (prepared.figureOnly) continue; // reported as a figure of its own (the big account's load)
      if (prepared.note) console.log(`  ${prepared.note}`);
      const concurrency = prepared.concurrency ?? CONCURRENCY;
      const options = { concurrency, bytes: prepared.bytes, serverPid: server.pid };
      let baseline, measured, check, title, note, extra, share, bare, bareShare, floor, floorShare;
      if (prepared.run) {
        // A scenario measuring itself (notifications): baseline and measured from its own loop.
        ({ baseline, measured, title, note, extra } = await prepared.run());
        check = null;
        if (note) console.log(`  ${note}`);
      } else {
        const request = () => prepared.request();
        // Warm-up of the scenario's own code, thrown away, as the baseline's was: its first slice would otherwise include its JIT.
        await measure(request, { ...options, failed: prepared.failed, seconds: 1 });
        if (PROFILE === scenario.id) {
          const measureBaseline = () => measure(prepared.baseline ?? baselineRequest, options);
          // Allocations: the baseline's too (…-baseline-heap.md), what the runtime's path alone allocates.
          const baselineProfile = { id: `${scenario.id}-baseline`, title: `the baseline of ${scenario.title}, same run` };
          baseline = profileKind === "heap" ? await profiled(baselineProfile, measureBaseline) : await measureBaseline();
          measured = await profiled(scenario, () => measure(request, { ...options, failed: prepared.failed }));
        } else {
          ({ baseline, measured, share, bare, bareShare, floor, floorShare } = await measureAlternating(prepared.baseline ?? baselineRequest, request, {
            ...options,
            failed: prepared.failed,
            bareToo: !prepared.baseline,
          }));
        }
        check = prepared.check ? await prepared.check() : null;
      }
      // A streamed answer's trips, its later pages included (its headers counted only the first).
      for (const m of [baseline, measured]) {
        const ids = m.timing?.traceIds ?? [];
        if (m.timing) delete m.timing.traceIds;
        if (ids.length) m.timing.d1TripsWhole = await wholeAnswerTrips(send, BASE, ids);
      }
      note = [prepared.note, note].filter(Boolean).join("; ");
      share ??= ratio(measured.rps, baseline.rps);
      results.push({ id: scenario.id, title: title ?? scenario.title, goal: !!scenario.goal, note, concurrency, baseline, measured, share, bare, bareShare, floor, floorShare, check, ...(extra ? { extra } : {}) });
      const mb = (m) => (m.mbps !== undefined ? `  ${m.mbps} MB/s` : "");
      const trips = (m) => (m.timing?.d1Trips != null ? `  ${tripsOf(m)} D1 trips/req` : "");
      console.log(`  baseline  ${baseline.rps} req/s  p50 ${baseline.p50} ms  p99 ${baseline.p99} ms${mb(baseline)}`);
      console.log(`  scenario  ${measured.rps} req/s  p50 ${measured.p50} ms  p99 ${measured.p99} ms${mb(measured)}${trips(measured)}  (${measured.errors} errors)${check ? `  ${check}` : ""}`);
    }
  } finally {
    stopServer(server);
    rmSync(state, { recursive: true, force: true });
  }
  writeResults(results, await bigAccountLoad());
}

const ratio = (a, b) => (a && b ? a / b : null);
/** D1 trips per request: of the whole answer when it was streamed (read back), else from the headers. */
const tripsOf = (m) => m.timing?.d1TripsWhole ?? m.timing?.d1Trips;
const fixed = (x, digits = 0) => (x == null || Number.isNaN(x) ? "–" : x.toFixed(digits));
const mark = (ok) => (ok ? "✓" : "✗");

/** The issue-13 goals this run shows, one line each. */
function goalLines(results, load) {
  const lines = results
    .filter((r) => r.goal)
    .map((r) => {
      const share = r.share * 100;
      const tail = ratio(r.measured.p99, r.measured.p50);
      const bare = r.bareShare != null ? ` (${fixed(r.bareShare * 100)} % of the bare route, ${fixed(r.floorShare * 100)} % of one bare D1 round trip)` : "";
      const baseTail = ratio(r.baseline.p99, r.baseline.p50);
      const stalled = (st) =>
        st ? `${fixed(st.inStalls * 100)} % of slow requests in whole-server stalls (${fixed(st.perSecond, 1)}/s), p99/p50 outside them ${fixed(st.tailOutside, 2)}` : "–";
      return `- ${r.title}: ${fixed(share, 1)} % of baseline${bare} ${mark(share >= GOAL_SHARE)} (goal ≥ ${GOAL_SHARE} %), p99/p50 ${fixed(tail, 2)} ${mark(tail <= GOAL_TAIL)} (goal ≤ ${GOAL_TAIL}; the baseline's own in the same rounds: ${fixed(baseTail, 1)}); the call: ${stalled(r.measured.stalls)}; the baseline: ${stalled(r.baseline.stalls)}${r.measured.gc ? `; ${gcLine(r.measured.gc)}` : ""}`;
    });
  const batch = results.find((r) => r.id === "batch-1000-create");
  if (batch) lines.push(`- batch of 1000 events.create: p50 ${batch.measured.p50} ms, p99 ${batch.measured.p99} ms per batch ${mark(batch.measured.p50 <= GOAL_BATCH_1000_MS)} (goal ≤ ${GOAL_BATCH_1000_MS} ms)`);
  if (load) {
    lines.push(
      `- loading ${load.events.toLocaleString("en")} events in ${load.batches} batches of 1000: ${load.eventsPerSecond} events/s ${mark(load.eventsPerSecond >= GOAL_LOAD_EVENTS_PER_S)} (goal ≥ ${GOAL_LOAD_EVENTS_PER_S}), ${load.seconds} s; per batch p50 ${load.batchP50} ms, p99 ${load.batchP99} ms, ${fixed(load.timing.d1Trips, 1)} D1 trips`,
    );
  }
  return lines;
}

const pct = (x) => (x == null ? "–" : `${fixed(x * 100)} %`);
const gcLine = (gc) =>
  `stall windows overlapping a garbage collection of ≥ 10 ms: ${pct(gc.stallsWithGc)} of ${gc.stalls} (in wrangler's proxy ${pct(gc.stallsWithProxyGc)}, in the Worker's workerd ${pct(gc.stallsWithWorkerGc)})`;

/** BENCH_GC=1: the collections during each scenario's load and its baseline's, per workerd process. */
function gcRows(results) {
  const row = (title, gc) =>
    `| ${title} | ${gc.stalls} | ${pct(gc.stallsWithGc)} | ${pct(gc.stallsWithProxyGc)} | ${pct(gc.stallsWithWorkerGc)} | ${fixed(gc.proxy.msPerSecond)} | ${gc.proxy.long} | ${fixed(gc.proxy.longest)} | ${fixed(gc.worker.msPerSecond)} | ${gc.worker.long} | ${fixed(gc.worker.longest)} | ${gc.worker.major} (${fixed(gc.worker.majorLongest)} ms) |`;
  const measured = results.filter((r) => r.measured.gc);
  if (!measured.length) return [];
  return [
    "",
    "Garbage collections (BENCH_GC=1: workerd's V8 with `--trace-gc`, wrangler at log level log, so these loads are not the table's): stall windows as in the goals, a collection overlapping one if it ran during it; per process, collection time per second of load, collections of ≥ 10 ms, the longest; major ones (atomic mark-compact) in the Worker's workerd.",
    "",
    "| load | stall windows | with a GC ≥ 10 ms | in wrangler's proxy | in the Worker's workerd | proxy GC ms/s | proxy GCs ≥ 10 ms | proxy longest ms | Worker's workerd GC ms/s | its GCs ≥ 10 ms | its longest ms | its major GCs (longest) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...measured.flatMap((r) => [row(r.title, r.measured.gc), ...(r.baseline.gc ? [row("its baseline, same rounds", r.baseline.gc)] : [])]),
  ];
}

function writeResults(results, load) {
  const out = process.env.BENCH_OUT
    ? path.resolve(process.env.BENCH_OUT)
    : path.join(import.meta.dirname, "results", PROFILE ? `profile-${PROFILE}${profileKind === "heap" ? "-heap" : ""}-results` : "latest");
  mkdirSync(path.dirname(out), { recursive: true });
  const when = new Date().toISOString();
  const machine = machineInfo(root);
  const setup = { seconds: SECONDS, concurrency: CONCURRENCY, events: Number(process.env.BENCH_EVENTS ?? 100_000), profile: PROFILE, ...machine };
  writeFileSync(`${out}.json`, JSON.stringify({ when, setup, results, ...(load ? { load } : {}) }, null, 2) + "\n");
  const mb = (m) => (m.mbps !== undefined ? ` (${m.mbps} MB/s)` : "");
  const rows = results.map((r) => {
    const m = r.measured;
    return `| ${r.title} | ${r.concurrency} | ${m.rps}${mb(m)} | ${fixed(r.share * 100)} % | ${r.bareShare != null ? `${fixed(r.bareShare * 100)} %` : "–"} | ${r.floorShare != null ? `${fixed(r.floorShare * 100)} %` : "–"} | ${m.p50} | ${m.p99} | ${fixed(ratio(m.p99, m.p50), 1)} | ${fixed(tripsOf(m), 2)} | ${r.baseline.rps}${mb(r.baseline)} | ${r.baseline.p50} | ${r.baseline.p99} | ${r.bare?.rps ?? "–"} | ${r.floor?.rps ?? "–"} | ${m.errors} | ${m.clientCpu ?? "–"} / ${m.serverCpu ?? "–"} |`;
  });
  const phaseNames = [...new Set(results.flatMap((r) => Object.keys(r.measured.timing?.phases ?? {})))].sort((a, b) =>
    a === "total" ? 1 : b === "total" ? -1 : a.localeCompare(b),
  );
  const phaseRows = results
    .filter((r) => r.measured.timing?.responses)
    .map((r) => `| ${r.title} | ${r.measured.timing.responses} | ${phaseNames.map((n) => fixed(r.measured.timing.phases[n], 2)).join(" | ")} |`);
  const md = [
    `Measured ${when} — wrangler ${machine.wrangler} dev (local workerd, local D1/DO/R2), node ${machine.node}, ${machine.cpus} × ${machine.model} shared by client and server${machine.kernel ? ` (${machine.kernel})` : ""}.`,
    `Load: ${CONCURRENCY} clients unless the table says otherwise (one Node process, undici keep-alive agent), ${SECONDS} s per scenario; big account: ${setup.events.toLocaleString("en")} events.${PROFILE ? ` Profiled run (${PROFILE}): the sampler slows the Worker, figures are not comparable with a plain run.` : ""}`,
    `Baseline: the trivial route of issue 13, \`GET /reg/service/info\` (no I/O), or for files a bare R2 put/get route, measured the same way in ${ROUNDS} slices alternating with the scenario's (${fixed(SECONDS / ROUNDS, 1)} s each), so both see the same drift of the shared machine; "% of baseline" is the median of the rounds' ratios. The bare route (\`GET /favicon.ico\`: 204 from Hono, no method) and one bare D1 round trip (\`GET /bench/d1\`: \`SELECT 1\`, no method; every read needs at least one) are measured in the same rounds, for what the runtime alone answers. D1 trips/req: of the whole answer, in the Worker and the account's Durable Object; for a streamed answer (events.get) its later pages, read after its headers, included (read back from \`/bench/trace/{id}\` for its last 50 answers). For notifications: the same sequential creates' own HTTP latency (req/s = creates/s).`,
    "",
    "| scenario | clients | req/s | % of baseline | % of bare route | % of one D1 trip | p50 ms | p99 ms | p99/p50 | D1 trips/req | baseline req/s | baseline p50 | baseline p99 | bare route req/s | one D1 trip req/s | errors | CPU % client / server |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "Goals (issue 13):",
    "",
    ...goalLines(results, load),
    ...gcRows(results),
    "",
    "Where the time goes: mean ms per request and phase, from each measured response's `Server-Timing` (bench mode). `total`: the Worker, from the request until the answer's headers; a streamed body (events.get) is produced after them, so its serialisation and later pages are not in it. `d1`: waiting on D1, wherever it runs (the Worker, or the account's Durable Object when it returns its trace). Phases nest (`d1` inside `handler` or `do`, everything inside `total`): a row does not add up. Local workerd's clock advances during CPU work but only in 1 ms steps: short phases are means of 0/1 ms readings. CPU %: of one core, client = this process, server = wrangler and its workerd processes.",
    "",
    `| scenario | timed responses | ${phaseNames.join(" | ")} |`,
    `|---|---:|${phaseNames.map(() => "---:").join("|")}|`,
    ...phaseRows,
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
