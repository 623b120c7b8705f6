// CPU profile of the Worker while a scenario's load runs: the Chrome DevTools
// Protocol on wrangler dev's inspector port (Profiler.start/stop), written as a
// .cpuprofile (opens in DevTools) and summarised in markdown: top functions by
// self time (sample counts), and self time by source file (bundle positions mapped back to
// src/… and node_modules/… through wrangler's source map).
// BENCH_PROFILE_KIND=heap: V8's sampling heap profiler instead (HeapProfiler.startSampling,
// keeping the objects collected since), i.e. what the Worker's isolate allocates per request —
// what its garbage collections, which stop the whole workerd process, have to clear.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";

const SAMPLING_INTERVAL_US = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 200);
/** "cpu" or "heap". */
export const profileKind = process.env.BENCH_PROFILE_KIND === "heap" ? "heap" : "cpu";
// A sample every 4 kB allocated on average (V8's default is 32 kB): some ten per request.
const HEAP_SAMPLING_BYTES = 4096;

/** The Chrome DevTools Protocol session on the inspector's first target (wrangler's proxy lists the Worker). */
async function connect(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  if (!targets.length) throw new Error(`no inspector target on port ${port}`);
  // Wrangler's inspector proxy wants an Origin it knows (Node's WebSocket sends none by itself).
  const socket = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: "http://127.0.0.1" } });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error("inspector connection failed")), { once: true });
  });
  let nextId = 0;
  const pending = new Map();
  const scripts = new Map(); // scriptId → { url, sourceMapURL }
  socket.addEventListener("message", ({ data }) => {
    const message = JSON.parse(String(data));
    if (message.method === "Debugger.scriptParsed") scripts.set(message.params.scriptId, message.params);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    message.error ? waiter.reject(new Error(`${message.error.message}`)) : waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
      setTimeout(() => pending.delete(id) && reject(new Error(`${method}: no answer in 60 s`)), 60_000);
    });
  return { targets, scripts, send, close: () => socket.close() };
}

/**
 * Starts profiling the Worker; `stop()` gives the profile, the targets the inspector listed and
 * the scripts by id (the profile names the bundle `index.js`; Debugger.scriptParsed gives its file
 * and source map, so the debugger is on for a moment before the sampling starts, off during it).
 */
export async function startProfiler(port) {
  const session = await connect(port);
  await session.send("Debugger.enable");
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the scriptParsed events of scripts already loaded
  await session.send("Debugger.disable");
  const heap = profileKind === "heap";
  if (heap) {
    await session.send("HeapProfiler.enable");
    await session.send("HeapProfiler.startSampling", {
      samplingInterval: HEAP_SAMPLING_BYTES,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  } else {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
    await session.send("Profiler.start");
  }
  return {
    async stop() {
      const { profile } = await session.send(heap ? "HeapProfiler.stopSampling" : "Profiler.stop");
      session.close();
      return { profile, targets: session.targets.map((t) => t.title ?? t.id), scripts: session.scripts };
    },
  };
}

const RUNTIME = new Set(["(root)", "(program)", "(idle)", "(garbage collector)"]);

const MODULE_COMMENT = /^\/\/ ((?:\.\.\/)*[\w@.+-]+(?:\/[\w@.+-]+)*\.(?:[cm]?[jt]sx?|json))$/;

/** esbuild's `// path` comment opening each module in the bundle: sorted [line, path] pairs. */
function bundleModules(file) {
  const modules = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, i) => {
      const match = MODULE_COMMENT.exec(text);
      if (match) modules.push([i + 1, match[1]]);
    });
  return modules;
}

/** The module holding bundle line `line`. */
function moduleAt(modules, line) {
  let lo = 0;
  let hi = modules.length - 1;
  let found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (modules[mid][0] <= line) {
      found = modules[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Where a frame's code comes from, per script (from scriptParsed): the bundle's module (esbuild's
 * comments: `src/…`, `node_modules/<package>/…`) and the original line through the source map.
 */
function sourceMapper(root, scripts) {
  const bundles = new Map();
  const bundleFor = (scriptId) => {
    if (!bundles.has(scriptId)) {
      let bundle = null;
      const script = scripts.get(scriptId);
      try {
        if (script?.url.startsWith("file:")) {
          const file = fileURLToPath(script.url);
          let map = null;
          if (script.sourceMapURL && !script.sourceMapURL.startsWith("data:")) {
            const mapFile = fileURLToPath(new URL(script.sourceMapURL, script.url));
            if (existsSync(mapFile)) map = new TraceMap(readFileSync(mapFile, "utf8"), pathToFileURL(mapFile).href);
          }
          bundle = { map, modules: bundleModules(file) };
        }
      } catch {
        bundle = null;
      }
      bundles.set(scriptId, bundle);
    }
    return bundles.get(scriptId);
  };
  return (frame) => {
    const bundle = bundleFor(frame.scriptId);
    const line = frame.lineNumber + 1;
    const fallback = frame.url ? { file: frame.url, where: `${frame.url}:${line}` } : { file: "(native)", where: "(native)" };
    if (!bundle) return fallback;
    const found = moduleAt(bundle.modules, line);
    const module = found?.includes("node_modules/") ? found.slice(found.indexOf("node_modules/")) : found; // symlinked installs
    const pos = bundle.map ? originalPositionFor(bundle.map, { line, column: Math.max(0, frame.columnNumber) }) : {};
    const original = pos.source ? path.relative(root, pos.source.startsWith("file:") ? fileURLToPath(pos.source) : path.resolve(pos.source)) : null;
    if (!module) return original ? { file: original, where: `${original}:${pos.line}` } : fallback;
    const sameFile = original && path.basename(original) === path.basename(module);
    return { file: module, where: sameFile ? `${module}:${pos.line}` : original ? `${module} (${path.basename(original)}:${pos.line})` : `${module} (bundle:${line})` };
  };
}

/** `src/…`, `node_modules/<package>` or `runtime`, for the grouping by origin. */
function originOf(file, functionName) {
  if (RUNTIME.has(functionName) || file === "(native)") return "runtime";
  if (file.startsWith("src/")) return "src";
  if (file.includes("node_modules/")) return "node_modules";
  return "runtime";
}

/**
 * Sums over a profile's call tree (`nodes`: id → { callFrame, children }; `amounts`: id → µs or bytes of
 * the node itself): per function, source file and origin, and the library share by the project's caller.
 */
function aggregate(nodes, amounts, position, { builtinsToCaller = false } = {}) {
  const byFunction = new Map();
  const byFile = new Map();
  const byOrigin = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, amount] of amounts) {
    const { callFrame } = nodes.get(id);
    total += amount;
    if (callFrame.functionName === "(idle)") {
      idle += amount;
      continue;
    }
    const { file, where } = position(callFrame);
    const name = callFrame.functionName || "(anonymous)";
    const key = `${name}\u0000${where}`;
    const entry = byFunction.get(key) ?? { name, where: RUNTIME.has(name) ? "" : where, amount: 0 };
    entry.amount += amount;
    byFunction.set(key, entry);
    const fileKey = RUNTIME.has(name) ? name : file;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + amount);
    const origin = originOf(file, name);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + amount);
  }
  const byCaller = libraryByCaller(nodes, amounts, position, builtinsToCaller);
  return { byFunction, byFile, byOrigin, byCaller, total, idle };
}

const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);

/** Markdown summary of a CPU profile: busy time, top `top` functions by self time, self time per file and per origin. */
export function summariseProfile(profile, { root, scenario, targets, scripts, top = 25 }) {
  const position = sourceMapper(root, scripts);
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  // Every sample weighs the same share of the profiled time. On a loaded machine the sampler runs
  // late (a 6-s profile held 3 400 samples instead of 30 000), and weighing a sample by the time
  // until the next one gave a whole gap to whatever frame was on top after it (Hono's route search
  // once looked like 6 % of an update this way). Counted, samples are an even draw of where the
  // thread was.
  const wallUs = profile.endTime - profile.startTime;
  const perSampleUs = profile.samples.length ? wallUs / profile.samples.length : 0;
  const selfUs = new Map();
  for (const id of profile.samples) selfUs.set(id, (selfUs.get(id) ?? 0) + perSampleUs);
  const { byFunction, byFile, byOrigin, byCaller, total: totalUs, idle: idleUs } = aggregate(nodes, selfUs, position);
  const busyUs = totalUs - idleUs;
  const ms = (us) => (us / 1000).toFixed(1);
  const pct = (us) => (busyUs ? ((us / busyUs) * 100).toFixed(1) : "0");
  const functions = [...byFunction.values()].sort((a, b) => b.amount - a.amount).slice(0, top);
  return [
    `# CPU profile: ${scenario}`,
    "",
    `Inspector targets: ${targets.join(", ")}. Profiled ${ms(totalUs)} ms, of which idle ${ms(idleUs)} ms; busy ${ms(busyUs)} ms (percentages below are of busy time). Sampling every ${SAMPLING_INTERVAL_US} µs asked, ${profile.samples.length} samples taken: each counts as an equal share of the profiled time.`,
    "",
    `## Top ${top} functions by self time`,
    "",
    "| function | where | self ms | % |",
    "|---|---|---:|---:|",
    ...functions.map((f) => `| ${f.name.replaceAll("|", "\\|")} | ${f.where} | ${ms(f.amount)} | ${pct(f.amount)} |`),
    "",
    "## Self time by origin",
    "",
    "| origin | self ms | % |",
    "|---|---:|---:|",
    ...sorted(byOrigin).map(([origin, us]) => `| ${origin} | ${ms(us)} | ${pct(us)} |`),
    "",
    "## Self time by source file (top 30)",
    "",
    "| file | self ms | % |",
    "|---|---:|---:|",
    ...sorted(byFile)
      .slice(0, 30)
      .map(([file, us]) => `| ${file} | ${ms(us)} | ${pct(us)} |`),
    "",
    "## Time in libraries and the D1 binding, by the project's function calling them (top 15)",
    "",
    "Self time of frames in `node_modules` or `cloudflare-internal:d1-api`, given to the nearest `src/` frame above them.",
    "",
    "| calling function | where | ms | % |",
    "|---|---|---:|---:|",
    ...sorted(byCaller)
      .slice(0, 15)
      .map(([caller, us]) => `| ${caller.split("\u0000").join(" | ")} | ${ms(us)} | ${pct(us)} |`),
    "",
  ].join("\n");
}

/**
 * Markdown summary of a sampling heap profile over `requests` answers: bytes allocated per request,
 * by function, origin and source file, and what libraries, the D1 binding and built-ins allocate for
 * each of the project's functions.
 */
export function summariseHeapProfile(profile, { root, scenario, targets, scripts, requests, top = 25 }) {
  const position = sourceMapper(root, scripts);
  const nodes = new Map();
  const selfBytes = new Map();
  const flatten = (node) => {
    nodes.set(node.id, { callFrame: node.callFrame, children: node.children.map((c) => c.id) });
    if (node.selfSize) selfBytes.set(node.id, node.selfSize);
    node.children.forEach(flatten);
  };
  flatten(profile.head);
  const { byFunction, byFile, byOrigin, byCaller, total } = aggregate(nodes, selfBytes, position, { builtinsToCaller: true });
  const kb = (bytes) => (requests ? bytes / requests / 1000 : 0).toFixed(2);
  const pct = (bytes) => (total ? ((bytes / total) * 100).toFixed(1) : "0");
  const functions = [...byFunction.values()].sort((a, b) => b.amount - a.amount).slice(0, top);
  return [
    `# Allocations: ${scenario}`,
    "",
    `Inspector targets: ${targets.join(", ")}. V8's sampling heap profiler (a sample every ${HEAP_SAMPLING_BYTES / 1024} kB on average, objects collected since kept): ${(total / 1e6).toFixed(1)} MB allocated over ${requests} answers, **${kb(total)} kB per request**. \`(V8 API)\`: objects the runtime creates from C++ (requests, headers, D1 results) with no JavaScript frame.`,
    "",
    `## Top ${top} functions by bytes allocated`,
    "",
    "| function | where | kB per request | % |",
    "|---|---|---:|---:|",
    ...functions.map((f) => `| ${f.name.replaceAll("|", "\\|")} | ${f.where} | ${kb(f.amount)} | ${pct(f.amount)} |`),
    "",
    "## By origin",
    "",
    "| origin | kB per request | % |",
    "|---|---:|---:|",
    ...sorted(byOrigin).map(([origin, bytes]) => `| ${origin} | ${kb(bytes)} | ${pct(bytes)} |`),
    "",
    "## By source file (top 30)",
    "",
    "| file | kB per request | % |",
    "|---|---:|---:|",
    ...sorted(byFile)
      .slice(0, 30)
      .map(([file, bytes]) => `| ${file} | ${kb(bytes)} | ${pct(bytes)} |`),
    "",
    "## Allocated by libraries, the D1 binding and built-ins, by the project's function calling them (top 20)",
    "",
    "Bytes of frames in `node_modules`, `cloudflare-internal:d1-api` or the engine's built-ins (`push`, `join` …), given to the nearest `src/` frame above them.",
    "",
    "| calling function | where | kB per request | % |",
    "|---|---|---:|---:|",
    ...sorted(byCaller)
      .slice(0, 20)
      .map(([caller, bytes]) => `| ${caller.split("\u0000").join(" | ")} | ${kb(bytes)} | ${pct(bytes)} |`),
    "",
  ].join("\n");
}

/** Amounts of library frames (node_modules, the D1 binding's JS; built-ins too if asked), keyed by the nearest src frame above each. */
function libraryByCaller(nodes, amounts, position, builtins) {
  const parents = new Map();
  for (const [id, node] of nodes) for (const child of node.children ?? []) parents.set(child, id);
  const byCaller = new Map();
  for (const [id, amount] of amounts) {
    const leaf = nodes.get(id).callFrame;
    const { file } = position(leaf);
    const builtin = builtins && file === "(native)" && leaf.functionName && !RUNTIME.has(leaf.functionName) && leaf.functionName !== "(V8 API)";
    if (!builtin && !file.includes("node_modules/") && !file.startsWith("cloudflare-internal:d1-api")) continue;
    let caller = "(none)\u0000";
    for (let up = parents.get(id); up !== undefined; up = parents.get(up)) {
      const frame = nodes.get(up).callFrame;
      const at = position(frame);
      if (at.file.startsWith("src/")) {
        caller = `${frame.functionName || "(anonymous)"}\u0000${at.where}`;
        break;
      }
    }
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + amount);
  }
  return byCaller;
}
