// Notification scenarios: N socket.io-client subscribers (WebSocket transport)
// on one account, then sequential creates over HTTP; per create, the time from
// sending it to each subscriber receiving `eventsChanged` (p50/p99 across all
// receipts), beside the create's own HTTP latency in the same loop. Also the
// server memory per idle socket: RSS of the wrangler dev workerd processes
// (from /proc) before connecting and after the N idle sockets settled, / N.
// The client (this process) is not counted.
//
// Options (env): BENCH_NOTIFY_CONNECT_SECONDS (connect deadline per scenario, 120),
// BENCH_NOTIFY_BATCH (sockets connected at once, 50), BENCH_NOTIFY_MAX_CREATES (300).
import { readFileSync } from "node:fs";
import { io } from "socket.io-client";
import { account } from "./scenarios.mjs";
import { workerdProcesses } from "./machine.mjs";

const CONNECT_SECONDS = Number(process.env.BENCH_NOTIFY_CONNECT_SECONDS ?? 120);
const BATCH = Number(process.env.BENCH_NOTIFY_BATCH ?? 50);
const MAX_CREATES = Number(process.env.BENCH_NOTIFY_MAX_CREATES ?? 300);
const RECEIPT_TIMEOUT_MS = 5000; // per create: receipts still missing after this are counted as lost
const SETTLE_MS = 3000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * VmRSS in kB of each workerd process under `rootPid`, and their sum. The one
 * listening on the public port is wrangler's proxy ("proxy"); the others run the Worker.
 */
function workerdRss(rootPid, port) {
  const per = {};
  let total = 0;
  for (const { pid, cmd } of workerdProcesses(rootPid)) {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
      per[cmd.includes(`entry=127.0.0.1:${port} `) ? "proxy" : `worker-${pid}`] = kb;
      total += kb;
    } catch {
      // gone meanwhile
    }
  }
  return { total, per };
}

function connect(base, username, token) {
  const socket = io(`${base}/${username}`, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 20_000,
    query: { auth: token },
  });
  return new Promise((resolve) => {
    const give = (ok) => {
      clearTimeout(timer);
      if (!ok) socket.close();
      resolve(ok ? socket : null);
    };
    const timer = setTimeout(() => give(false), 15_000); // the namespace CONNECT unanswered: bounded
    socket.once("connect", () => give(true));
    socket.once("connect_error", () => give(false));
  });
}

/** Connects up to `n` sockets, `BATCH` at a time, until the deadline. */
async function connectMany(base, username, token, n) {
  const sockets = [];
  let failed = 0;
  const started = performance.now();
  const deadline = started + CONNECT_SECONDS * 1000;
  while (sockets.length < n && performance.now() < deadline && failed < n) {
    const batch = Math.min(BATCH, n - sockets.length);
    const got = await Promise.all(Array.from({ length: batch }, () => connect(base, username, token)));
    for (const s of got) s ? sockets.push(s) : failed++;
  }
  return { sockets, failed, seconds: (performance.now() - started) / 1000 };
}

function summarize(latencies, elapsedSeconds, count, errors) {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: Math.round(count / elapsedSeconds),
    p50: Number(percentile(latencies, 50)?.toFixed(1)),
    p90: Number(percentile(latencies, 90)?.toFixed(1)),
    p99: Number(percentile(latencies, 99)?.toFixed(1)),
  };
}

function notifyScenario(n) {
  return {
    id: `notify-${n}`,
    title: `notification latency, ${n} subscriber${n > 1 ? "s" : ""} (create → eventsChanged)`,
    async prepare(base, { serverPid, seconds }) {
      const acc = await account(base);
      await acc.call([{ method: "streams.create", params: { id: "diary", name: "Diary" } }]);
      const [{ access }] = (
        await acc.call([{ method: "accesses.create", params: { name: "subscriber", type: "shared", permissions: [{ streamId: "diary", level: "read" }] } }])
      ).results;
      const body = JSON.stringify({ streamIds: ["diary"], type: "mass/kg", content: 72.5 });
      const create = () =>
        fetch(acc.url("events"), {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: acc.token },
          body,
          signal: AbortSignal.timeout(15_000),
        });
      return {
        concurrency: 1,
        async run() {
          await create().then((r) => r.arrayBuffer()).catch(() => {}); // warm the account's object before the memory baseline
          await sleep(1000);
          const before = workerdRss(serverPid, new URL(base).port);
          console.log(`  connecting ${n} sockets (workerd RSS ${(before.total / 1024).toFixed(1)} MB) …`);
          const { sockets, failed, seconds: connectSeconds } = await connectMany(base, acc.username, access.token, n);
          await sleep(SETTLE_MS);
          const after = workerdRss(serverPid, new URL(base).port);
          const reached = sockets.length;
          console.log(`  ${reached} connected in ${connectSeconds.toFixed(1)} s (workerd RSS ${(after.total / 1024).toFixed(1)} MB); measuring …`);
          // Measurement: sequential creates, each waits for its receipts (or RECEIPT_TIMEOUT_MS).
          let t0 = 0;
          let pending = 0;
          let wake = null;
          const receipts = [];
          const onChange = () => {
            receipts.push(performance.now() - t0);
            if (--pending <= 0 && wake) wake();
          };
          for (const s of sockets) s.on("eventsChanged", onChange);
          const httpLatencies = [];
          let httpErrors = 0;
          let lost = 0;
          let creates = 0;
          const started = performance.now();
          const deadline = started + seconds * 1000;
          try {
            while (performance.now() < deadline && creates < MAX_CREATES && reached > 0) {
              pending = reached;
              const allIn = new Promise((r) => (wake = r));
              t0 = performance.now();
              let res;
              try {
                res = await create();
                await res.arrayBuffer();
              } catch {
                res = { status: 599 }; // timed out: counted as an error
              }
              const httpMs = performance.now() - t0;
              creates++;
              if (res.status >= 400) {
                httpErrors++;
                pending = 0;
                continue;
              }
              httpLatencies.push(httpMs);
              await Promise.race([allIn, sleep(RECEIPT_TIMEOUT_MS)]);
              lost += Math.max(0, pending);
              pending = 0;
              wake = null;
            }
          } finally {
            for (const s of sockets) s.close();
          }
          const elapsed = (performance.now() - started) / 1000;
          await sleep(1000); // let the server see the closes before the next scenario's baseline
          const perSocketKb = reached ? (after.total - before.total) / reached : NaN;
          const workerKb = Object.keys(after.per)
            .filter((k) => k !== "proxy")
            .reduce((sum, k) => sum + after.per[k] - (before.per[k] ?? 0), 0);
          const perSocketWorkerKb = reached ? workerKb / reached : NaN;
          const memory = { perSocketWorkerKb: Number(perSocketWorkerKb.toFixed(1)), beforeKb: before.total, afterKb: after.total, perSocketKb: Number(perSocketKb.toFixed(1)), beforePerProcess: before.per, afterPerProcess: after.per };
          const note = [
            `${reached} of ${n} subscribers connected (one shared read token on the stream, socket.io-client websocket) in ${connectSeconds.toFixed(1)} s${failed ? `, ${failed} failed` : ""}`,
            `${creates} sequential creates, ${receipts.length} receipts of ${creates * reached} expected${lost ? ` (${lost} not received within ${RECEIPT_TIMEOUT_MS / 1000} s)` : ""}`,
            `req/s = creates/s; p50/p99 = send → eventsChanged across all receipts; baseline = the same creates' HTTP latency`,
            `server memory per idle socket ≈ ${perSocketKb.toFixed(1)} kB (workerd RSS ${(before.total / 1024).toFixed(1)} → ${(after.total / 1024).toFixed(1)} MB summed over ${Object.keys(after.per).length} workerd processes, wrangler's proxy included; client excluded), of which the Worker's workerd ≈ ${perSocketWorkerKb.toFixed(1)} kB (the rest is wrangler dev's proxy)`,
          ].join("; ");
          return {
            title: reached < n ? `notification latency, ${n} subscribers asked, ${reached} reached (create → eventsChanged)` : undefined,
            note,
            measured: summarize(receipts, elapsed, creates, lost),
            baseline: summarize(httpLatencies, elapsed, creates, httpErrors),
            extra: { subscribers: n, reached, connectSeconds: Number(connectSeconds.toFixed(1)), creates, receipts: receipts.length, lost, memory },
          };
        },
      };
    },
  };
}

export const notificationScenarios = [1, 100, 1000].map(notifyScenario);
