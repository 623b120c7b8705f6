// globalSetup of the `platform` project: a register and two cores (scripts/start-multi.mjs)
// on free ports with fresh state, stopped at teardown.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startMultiNode } from "../../scripts/start-multi.mjs";
import { freePort } from "../helpers/free-port.mjs";


let nodes;
let state;

export async function setup({ provide }) {
  state = mkdtempSync(path.join(tmpdir(), "pryv-platform-"));
  const [register, coreA, coreB, ...inspector] = await Promise.all(Array.from({ length: 6 }, freePort));
  nodes = await startMultiNode({ ports: { register, coreA, coreB, inspector }, stateDir: state, stdio: "ignore" });
  provide("platform", { ...nodes.urls, adminKey: nodes.adminKey, registerKey: nodes.registerKey });
}

export async function teardown() {
  await nodes?.stop();
  rmSync(state, { recursive: true, force: true });
}
