// What the bench ran on, and CPU use of the client (this process) and the
// server (wrangler dev and its workerd processes) over a measured window.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";

const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ

export function machineInfo(root) {
  let model = cpus()[0]?.model;
  try {
    model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? model;
  } catch {
    // not Linux: os.cpus() has it
  }
  let wrangler = "?";
  try {
    wrangler = JSON.parse(readFileSync(path.join(root, "node_modules", "wrangler", "package.json"), "utf8")).version;
  } catch {
    // not installed where expected
  }
  let kernel = "";
  try {
    kernel = execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim();
  } catch {
    // no uname
  }
  return { cpus: cpus().length, model, node: process.version, wrangler, kernel };
}

/** Child pids of every process, from /proc. */
function childrenByParent() {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** `rootPid` and all its descendants. */
function processTree(rootPid) {
  const children = childrenByParent();
  const queue = [rootPid];
  for (let i = 0; i < queue.length && i < 10_000; i++) queue.push(...(children.get(queue[i]) ?? []));
  return queue;
}

/** The workerd processes under `rootPid` (wrangler dev's children), with their command lines. */
export function workerdProcesses(rootPid) {
  const found = [];
  for (const pid of processTree(rootPid).slice(1)) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (comm === "workerd") found.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ") });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** CPU seconds (user + system) used so far by `rootPid` and its descendants; 0 where /proc is missing. */
function treeCpuSeconds(rootPid) {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** Starts a CPU meter; `stop()` gives client and server CPU in % of one core over the window. */
export function cpuMeter(serverPid) {
  const started = performance.now();
  const client = process.cpuUsage();
  const server = serverPid ? treeCpuSeconds(serverPid) : 0;
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(client);
    return {
      clientCpu: Math.round(((used.user + used.system) / 1e6 / seconds) * 100),
      serverCpu: serverPid ? Math.round(((treeCpuSeconds(serverPid) - server) / seconds) * 100) : null,
    };
  };
}
