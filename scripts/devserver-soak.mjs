#!/usr/bin/env node
// Soak test of a running dev server (`npm start`, `wrangler dev`, or workerd's own port).
//
//   node scripts/devserver-soak.mjs [--url http://127.0.0.1:8787] [--rounds 10]
//        [--writers 200] [--creates 10] [--aborts 10] [--json]
//
// Each round: one fresh account, one stream; `writers` concurrent clients (keep-alive
// sockets, one each) each create `creates` events one after the other, while `aborts`
// clients start a multipart attachment upload and drop the connection mid-body. Then:
//  - every acknowledged create (201 with an event id) must be returned by events.get;
//  - a request that failed with a connection reset but whose event IS stored is a
//    "reset on a successful write" (the write happened, the answer was lost);
//  - the server must still answer (GET /reg/service/info).
// Every loop is bounded: no retries, a timeout on each request.
// Exit code 0 when every round passed, 1 otherwise (2: bad usage / setup failed).
import http from "node:http";
import net from "node:net";
import { randomBytes } from "node:crypto";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const BASE = new URL(opt("url", "http://127.0.0.1:8787"));
const ROUNDS = Number(opt("rounds", 10));
const WRITERS = Number(opt("writers", 200));
const CREATES = Number(opt("creates", 10));
const ABORTS = Number(opt("aborts", 10));
const TIMEOUT_MS = Number(opt("timeout", 60000));
const JSON_OUT = args.includes("--json");
const HOST = BASE.hostname;
const PORT = Number(BASE.port || 80);

/** One HTTP request; resolves { status, body, reused } or { error, code, reused }. Never rejects. */
function request(agent, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v) => {
      if (!done) {
        done = true;
        resolve(v);
      }
    };
    const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = http.request(
      {
        host: HOST,
        port: PORT,
        method,
        path,
        agent,
        headers: {
          ...(data !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {}),
          ...headers,
        },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8"), reused: req.reusedSocket }));
        res.on("error", (e) => finish({ error: e.message, code: e.code, reused: req.reusedSocket, midResponse: true }));
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    req.on("error", (e) => finish({ error: e.message, code: e.code, reused: req.reusedSocket }));
    if (data !== undefined) req.write(data);
    req.end();
  });
}

const json = (r) => {
  try {
    return JSON.parse(r.body);
  } catch {
    return null;
  }
};

async function alive(agent) {
  const r = await request(agent, "GET", "/reg/service/info");
  return r.status === 200;
}

/** Starts a multipart upload of an event with a 1 MB file, sends part of it and drops the socket. */
function abortedUpload(username, token) {
  return new Promise((resolve) => {
    const boundary = `----soak${randomBytes(8).toString("hex")}`;
    const event = JSON.stringify({ streamIds: ["s1"], type: "note/txt", content: "aborted upload" });
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="event"\r\nContent-Type: application/json\r\n\r\n${event}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const total = Buffer.byteLength(head) + 1024 * 1024 + `\r\n--${boundary}--\r\n`.length;
    const socket = net.connect(PORT, HOST, () => {
      socket.write(
        `POST /${username}/events HTTP/1.1\r\nHost: ${BASE.host}\r\nAuthorization: ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${total}\r\n\r\n`,
      );
      socket.write(head);
      socket.write(randomBytes(64 * 1024));
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 200 + Math.floor(Math.random() * 300));
    });
    socket.on("error", () => resolve());
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve();
    });
  });
}

async function round(n) {
  const setupAgent = new http.Agent({ keepAlive: false });
  const username = `soak${Date.now().toString(36)}${randomBytes(3).toString("hex")}`.slice(0, 23);
  const reg = await request(setupAgent, "POST", "/users", {
    body: { appId: "soak-app", username, password: "soak-password", email: `${username}@example.com` },
  });
  const regBody = reg.status ? json(reg) : null;
  const endpoint = regBody?.apiEndpoint;
  if (!endpoint) return { round: n, setupFailed: `register: ${reg.status ?? reg.code} ${reg.body ?? reg.error}`.slice(0, 300) };
  const token = decodeURIComponent(new URL(endpoint).username);
  const auth = { Authorization: token };
  const stream = await request(setupAgent, "POST", `/${username}/streams`, { headers: auth, body: { id: "s1", name: "S1" } });
  if (stream.status !== 201) return { round: n, setupFailed: `stream: ${stream.status ?? stream.code} ${stream.body ?? stream.error}`.slice(0, 300) };

  const acked = new Map(); // content -> event id
  const failed = []; // { content, status|code, reused }
  const statuses = {};
  const started = Date.now();
  const writer = async (w) => {
    // One socket per writer, reused for its creates (keep-alive), as a browser or SDK would.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < CREATES; i++) {
      const content = `r${n}-w${w}-c${i}`;
      const r = await request(agent, "POST", `/${username}/events`, {
        headers: auth,
        body: { streamIds: ["s1"], type: "note/txt", content },
      });
      const key = r.status ?? r.code ?? "error";
      statuses[key] = (statuses[key] ?? 0) + 1;
      const id = r.status === 201 ? json(r)?.event?.id : null;
      if (id) acked.set(content, id);
      else failed.push({ content, status: r.status, code: r.code, reused: r.reused, body: r.body?.slice(0, 200) ?? r.error });
    }
    agent.destroy();
  };
  const aborts = Array.from({ length: ABORTS }, (_, i) =>
    new Promise((res) => setTimeout(res, 50 + i * 150)).then(() => abortedUpload(username, token)),
  );
  await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), ...aborts]);
  const writeSeconds = (Date.now() - started) / 1000;

  const up = await alive(setupAgent);
  let stored = null;
  let missing = null;
  let resetsOnStoredWrites = 0;
  let unacknowledgedStored = 0;
  if (up) {
    const got = await request(setupAgent, "GET", `/${username}/events?streams[]=s1&limit=${WRITERS * CREATES * 2 + 100}`, { headers: auth });
    const events = json(got)?.events;
    if (Array.isArray(events)) {
      const byContent = new Map(events.map((e) => [e.content, e.id]));
      stored = events.length;
      missing = [...acked].filter(([content, id]) => byContent.get(content) !== id).length;
      for (const f of failed) {
        if (byContent.has(f.content)) {
          unacknowledgedStored++;
          if (f.code === "ECONNRESET" || f.code === "EPIPE" || f.code === "ECONNREFUSED" || /socket hang up/i.test(f.body ?? "")) resetsOnStoredWrites++;
        }
      }
    }
  }
  const resets = failed.filter((f) => f.code === "ECONNRESET" || /socket hang up/i.test(f.body ?? "")).length;
  const server500 = failed.filter((f) => f.status === 500);
  const result = {
    round: n,
    attempted: WRITERS * CREATES,
    acknowledged: acked.size,
    statuses,
    resets,
    resetsOnReusedSockets: failed.filter((f) => f.code === "ECONNRESET" && f.reused).length,
    resetsOnStoredWrites,
    unacknowledgedStored,
    stored,
    missingAcknowledged: missing,
    serverAnswers: up,
    writeSeconds,
    sample500: server500[0]?.body,
  };
  result.ok = up && missing === 0 && resetsOnStoredWrites === 0 && unacknowledgedStored === 0 && resets === 0 && acked.size === WRITERS * CREATES;
  return result;
}

const probe = new http.Agent({ keepAlive: false });
if (!(await alive(probe))) {
  console.error(`no server answering on ${BASE.origin}`);
  process.exit(2);
}
const results = [];
for (let n = 1; n <= ROUNDS; n++) {
  const r = await round(n);
  results.push(r);
  if (!JSON_OUT) console.log(JSON.stringify(r));
  if (r.setupFailed || !r.serverAnswers) break;
}
const passed = results.filter((r) => r.ok).length;
const summary = {
  url: BASE.origin,
  rounds: ROUNDS,
  roundsRun: results.length,
  passed,
  failed: ROUNDS - passed,
  totalResets: results.reduce((s, r) => s + (r.resets ?? 0), 0),
  totalResetsOnStoredWrites: results.reduce((s, r) => s + (r.resetsOnStoredWrites ?? 0), 0),
  totalMissingAcknowledged: results.reduce((s, r) => s + (r.missingAcknowledged ?? 0), 0),
  serverAnswersAtEnd: await alive(probe),
};
console.log(JSON.stringify(JSON_OUT ? { summary, results } : { summary }));
process.exit(passed === ROUNDS && summary.serverAnswersAtEnd ? 0 : 1);
