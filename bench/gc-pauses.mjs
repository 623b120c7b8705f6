// BENCH_GC=1: every garbage collection of workerd's V8 isolates, to tell what
// the whole-server stalls are. workerd turns V8's incremental marking off
// (`--noincremental-marking`, and its C++ heap marks and sweeps atomically:
// src/workerd/jsg/setup.c++), so a major collection stops its thread for the
// whole of it, and every request of that process waits. `--trace-gc` (passed
// through miniflare's MINIFLARE_WORKERD_V8_FLAGS) prints one line per
// collection when it ends; wrangler forwards workerd's output only at log
// level log, which also prints a line per request, so this mode costs the
// server some CPU and its figures are not the plain run's.
// The line is V8's own debug text (no library reads it): one regular expression.
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

export const gcEnabled = process.env.BENCH_GC === "1";

// workerd's stdout is a pipe, so its C library buffers V8's lines in blocks that leave long after the collection:
// coreutils' stdbuf library (what `stdbuf -oL` preloads), inherited through wrangler, makes it flush each line.
const STDBUF = "/usr/libexec/coreutils/libstdbuf.so";

/** What wrangler dev needs for it: environment and log level. */
export function gcServerOptions() {
  if (!gcEnabled) return { env: {}, logLevel: "warn" };
  if (!existsSync(STDBUF)) throw new Error(`BENCH_GC=1 needs ${STDBUF} (Debian's coreutils) to read collections as they end`);
  return { env: { MINIFLARE_WORKERD_V8_FLAGS: "--trace-gc", LD_PRELOAD: STDBUF, _STDBUF_O: "L" }, logLevel: "log" };
}

// "[4683:0x71a93f212000]   118 ms: Scavenge 2.2 (3.2) -> 1.9 (4.0) MB, pooled: 0.0 MB, 3.67 / 0.00 ms (…"
const LINE = /^\[(\d+):(0x[0-9a-f]+)\]\s+\d+ ms: ([A-Za-z-]+(?: \([a-z ]+\))?) [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \//;

/**
 * Reads the server's output: each collection as { at (performance.now() when its line came, i.e. when it
 * ended), ms, kind, process ("proxy": wrangler's own workerd in front, "worker": the Worker's workerd), isolate }.
 */
export function watchGc(stream, port) {
  const pauses = [];
  const processes = new Map();
  const processOf = (pid) => {
    if (!processes.has(pid)) {
      let cmdline = "";
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        // not Linux, or gone: unnamed
      }
      processes.set(pid, cmdline.includes(`entry=127.0.0.1:${port}`) ? "proxy" : "worker");
    }
    return processes.get(pid);
  };
  createInterface({ input: stream }).on("line", (line) => {
    const m = LINE.exec(line);
    if (m) pauses.push({ at: performance.now(), ms: Number(m[5]), kind: m[3], process: processOf(m[1]), isolate: m[2], heapAfter: Number(m[4]) });
  });
  return pauses;
}

const LONG_MS = 10;

/**
 * Over one sampler's loads (`intervals`: [start, end] of each) and its stall windows: per process, the
 * collections' time per second of load, how many lasted ≥ 10 ms, the longest, and the major ones; and the share
 * of stall windows a collection of ≥ 10 ms overlaps, by process.
 */
export function gcSummary(pauses, intervals, windows) {
  const inLoad = pauses.filter((p) => intervals.some(([a, b]) => p.at - p.ms < b && p.at > a));
  const seconds = intervals.reduce((sum, [a, b]) => sum + (b - a), 0) / 1000;
  const per = {};
  for (const name of ["proxy", "worker"]) {
    const mine = inLoad.filter((p) => p.process === name);
    const major = mine.filter((p) => p.kind.startsWith("Mark"));
    per[name] = {
      msPerSecond: seconds ? mine.reduce((sum, p) => sum + p.ms, 0) / seconds : 0,
      long: mine.filter((p) => p.ms >= LONG_MS).length,
      longest: mine.reduce((max, p) => Math.max(max, p.ms), 0),
      major: major.length,
      majorLongest: major.reduce((max, p) => Math.max(max, p.ms), 0),
    };
  }
  const overlapping = (w, name) => inLoad.some((p) => p.ms >= LONG_MS && p.process === name && p.at - p.ms < w.end && p.at > w.start);
  const share = (test) => (windows.length ? windows.filter(test).length / windows.length : null);
  return {
    ...per,
    stalls: windows.length,
    stallsWithGc: share((w) => overlapping(w, "proxy") || overlapping(w, "worker")),
    stallsWithProxyGc: share((w) => overlapping(w, "proxy")),
    stallsWithWorkerGc: share((w) => overlapping(w, "worker")),
  };
}
