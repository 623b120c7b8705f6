/**
 * The sockets an account's Durable Object hosts: Engine.IO WebSockets and
 * plain JSON WebSockets (Hibernation API: every socket's state lives in its
 * attachment, so the object may be evicted between frames), and Engine.IO
 * long-polling sessions (src/notifications/polling.ts, state in the object's
 * storage). Each is a `Peer`: one code path speaks the protocol, runs method
 * calls as HTTP and batch do, and sends the change messages, whatever the
 * transport. The object supplies the `Host` (how to run a call).
 */
import { usageEntry, type UsageEntry } from "../accesses/usage";
import { MAX_BATCH_CALLS, MAX_BATCH_RESULT_ITEMS } from "../batch/batch";
import { runsOf } from "../batch/runs";
import { getConfig } from "../config";
import { createDb } from "../db/client";
import type { Env } from "../env";
import { errors, toApiError, type ErrorBody } from "../errors";
import { meta } from "../http/meta";
import type { CallInput, CallOutcome } from "../methods/dispatch";
import type { CallerInfo } from "../methods/method";
import { findMethod } from "../methods/registry";
import { StreamedResult } from "../methods/streamed";
import { assertAcceptableJson } from "../shared/json-input";
import { nowSeconds } from "../shared/time";
import { loadListenerAccesses, messagesFor, tokenUsable, type Change, type ChangeMessage } from "./changes";
import { decodeFrame, openFrame, PacketType, PING_FRAME, PONG_PROBE_FRAME, socketFrame, type SocketPacket } from "./protocol";

/** What the Worker passes along with the upgrade, once the token is authenticated. */
export interface SocketGrant {
  username: string;
  userId: number;
  accessId: string;
  token: string;
  caller: CallerInfo;
}

/** A socket's attachment (kept across hibernation), or a polling session's state. */
export interface SocketState extends SocketGrant {
  sid: string;
  /** `json`: the plain JSON WebSocket (`/{username}/ws`); else Engine.IO. */
  kind?: "json";
  /** Connected Socket.IO namespaces (`/{username}` or `/{username}/{username}`). */
  nsps: string[];
  /** Last frame received (ms). */
  seen: number;
  /** A WebSocket probing the upgrade of polling session `sid`: until the client's `5`, pushes go to the session. */
  upgrading?: boolean;
}

/** One connection, whatever its transport. */
export interface Peer {
  state: SocketState;
  send(frame: string): void;
  close(code: number, reason: string): void;
  /** Keeps `state` (attachment or storage). */
  save(): void;
}

/** The polling sessions (implemented by src/notifications/polling.ts, held by the object). */
export interface PollingSessions {
  peers(): Peer[];
  /** The upgrade's probe arrived on the WebSocket: a pending GET is answered (noop) so the client can pause polling. */
  probed(sid: string): void;
  /** The upgrade completed: ends the session, returning its state and buffered frames. */
  takeOver(sid: string): { state: SocketState; frames: string[] } | null;
  /** Drops sessions silent for longer than `limitMs`; returns how many remain. */
  expire(limitMs: number): number;
}

export const GRANT_HEADER = "X-Pryv-Socket-Grant";
const SOCKET_SOURCE = "socket";
export const PING_TIMEOUT_MS = 20_000;
export const MAX_PAYLOAD = 1_000_000;

/** `SOCKET_PING_INTERVAL_MS` (tests shorten it), 25 s by default as socket.io. */
export function pingInterval(env: Env): number {
  return getConfig(env).sockets.pingIntervalMs;
}

export interface Host {
  env: Env;
  ctx: DurableObjectState;
  /** Runs a write call under the account's write lock (the commit hook included). */
  write(input: CallInput): Promise<CallOutcome>;
  /** Runs consecutive write calls of a batch in order, under one lock acquisition (grouped commits). */
  writeAll(inputs: CallInput[]): Promise<CallOutcome[]>;
  /** Runs a read call in the object, outside the lock. */
  read(input: CallInput): Promise<CallOutcome>;
  recordUse(entries: UsageEntry[]): Promise<void>;
  polling: PollingSessions;
  /**
   * Local mode with `SOCKET_DEBUG=true` only (the tests' server): what the JSON
   * socket's `debug.instance` answers — the object instance answering and how
   * many the isolate constructed, to prove a socket outlived its object's eviction.
   */
  debug?: () => { instance: string; constructed: number };
}

const state = (ws: WebSocket) => ws.deserializeAttachment() as SocketState | null;

export function readGrant(request: Request): SocketGrant | null {
  return JSON.parse(request.headers.get(GRANT_HEADER) ?? "null") as SocketGrant | null;
}

export const handshake = (host: Host, sid: string) => ({
  sid,
  pingInterval: pingInterval(host.env),
  pingTimeout: PING_TIMEOUT_MS,
  maxPayload: MAX_PAYLOAD,
});

/** Engine.IO's answer to an unknown (or foreign) session id: its error code 1. */
export const sessionUnknown = () =>
  Response.json({ code: 1, message: "Session ID unknown" }, { status: 400 });

/**
 * Accepts the upgraded socket of an authenticated request (hibernatable):
 * a new Engine.IO socket (greeted with the open packet), the upgrade of
 * polling session `sid` (no greeting: the client probes), or a JSON socket.
 */
export function acceptSocket(host: Host, grant: SocketGrant, options: { sid?: string | null; json?: boolean } = {}): Response {
  let s: SocketState;
  if (options.json) {
    s = { ...grant, sid: crypto.randomUUID(), kind: "json", nsps: [], seen: Date.now() };
  } else if (options.sid) {
    const session = host.polling.peers().find((p) => p.state.sid === options.sid);
    if (!session || session.state.accessId !== grant.accessId || session.state.token !== grant.token) return sessionUnknown();
    s = { ...session.state, upgrading: true, seen: Date.now() };
  } else {
    s = { ...grant, sid: crypto.randomUUID(), nsps: [], seen: Date.now() };
  }
  const { 0: client, 1: server } = new WebSocketPair();
  host.ctx.acceptWebSocket(server, [grant.accessId]);
  server.serializeAttachment(s);
  if (options.json) {
    // The JSON socket's greeting: the client knows it is accepted (and the server's time).
    server.send(JSON.stringify({ event: "connected", meta: meta(getConfig(host.env)) }));
  } else if (!options.sid) server.send(openFrame(handshake(host, s.sid)));
  return new Response(null, { status: 101, webSocket: client });
}

function send(ws: WebSocket, frame: string): void {
  try {
    ws.send(frame);
  } catch {
    // closed meanwhile
  }
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

function wsPeer(ws: WebSocket): Peer | null {
  const s = state(ws);
  return s && { state: s, send: (frame) => send(ws, frame), close: (code, reason) => close(ws, code, reason), save: () => ws.serializeAttachment(s) };
}

/** Every connection of the object: its WebSockets and its polling sessions. */
function peers(host: Host): Peer[] {
  const sockets = host.ctx.getWebSockets().map(wsPeer);
  return [...sockets.filter((p): p is Peer => p !== null), ...host.polling.peers()];
}

/** One incoming WebSocket frame. */
export async function onMessage(host: Host, ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
  const peer = wsPeer(ws);
  if (!peer) return close(ws, 1011, "no state");
  if (peer.state.kind === "json") return onJsonFrame(host, peer, frame);
  return onFrame(host, peer, frame);
}

/** One incoming Engine.IO packet (a WebSocket frame, or one packet of a polling POST). */
export async function onFrame(host: Host, peer: Peer, frame: string | ArrayBuffer): Promise<void> {
  const s = peer.state;
  s.seen = Date.now();
  const incoming = decodeFrame(frame);
  switch (incoming.kind) {
    case "pong":
      peer.save();
      return;
    case "ping": // probes are a client's upgrade check; a v4 client does not ping otherwise
      peer.save();
      if (incoming.data === "probe") {
        peer.send(PONG_PROBE_FRAME);
        if (s.upgrading) host.polling.probed(s.sid);
      }
      return;
    case "upgrade": {
      if (!s.upgrading) return;
      // The polling side ends here: its namespaces and buffered packets move to this socket.
      const taken = host.polling.takeOver(s.sid);
      if (!taken) return peer.close(4000, "session gone");
      s.nsps = taken.state.nsps;
      delete s.upgrading;
      peer.save();
      for (const f of taken.frames) peer.send(f);
      return;
    }
    case "close":
      return peer.close(1000, "client closed");
    case "invalid":
      return peer.close(1003, "unsupported frame");
    case "other":
      return;
    case "socket":
      if (s.upgrading) return; // nothing but the probe and the upgrade before the upgrade
      return onPacket(host, peer, s, incoming.packet);
  }
}

/**
 * The plain JSON WebSocket (docs/notifications.md): `{"id","method","params"}`
 * → `{"id","result"}` or `{"id","error"}`, through the same `answerCall` as
 * Socket.IO (`callBatch` included). No liveness bookkeeping: no server ping.
 */
async function onJsonFrame(host: Host, peer: Peer, frame: string | ArrayBuffer): Promise<void> {
  if (typeof frame !== "string") return peer.close(1003, "text frames only");
  if (frame.length > MAX_PAYLOAD) return peer.close(1009, "frame too large");
  const call = parseJson(frame) as { id?: unknown; method?: unknown; params?: unknown } | null;
  const id = call && typeof call === "object" ? (call.id ?? null) : null;
  if (!call || typeof call !== "object" || typeof call.method !== "string") {
    const error = errors.invalidRequestStructure('Expected a JSON object {"id", "method", "params"}.').toBody();
    return peer.send(JSON.stringify({ id, error }));
  }
  if (call.method === "debug.instance" && host.debug) return peer.send(JSON.stringify({ id, result: host.debug() }));
  const answer = await answerCall(host, peer.state, call.method, call.params);
  const [error, result] = answer.args;
  peer.send(JSON.stringify(error ? { id, error } : { id, result }));
  if (answer.tokenFailed && !(await tokenStillUsable(host, peer.state))) peer.close(4001, "access revoked");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A change message as the peer's protocol carries it. */
function push(peer: Peer, message: ChangeMessage): void {
  if (peer.state.kind === "json") return peer.send(JSON.stringify({ event: message }));
  for (const nsp of peer.state.nsps) peer.send(socketFrame({ type: PacketType.EVENT, nsp, data: [message] }));
}

const namespacesOf = (username: string) => [`/${username}`, `/${username}/${username}`];

async function onPacket(host: Host, peer: Peer, s: SocketState, packet: SocketPacket): Promise<void> {
  const nsp = packet.nsp;
  if (packet.type === PacketType.CONNECT) {
    if (!namespacesOf(s.username).includes(nsp)) {
      peer.send(socketFrame({ type: PacketType.CONNECT_ERROR, nsp, data: { message: "Invalid namespace" } }));
      return;
    }
    if (!s.nsps.includes(nsp)) s.nsps.push(nsp);
    peer.save();
    peer.send(socketFrame({ type: PacketType.CONNECT, nsp, data: { sid: `${s.sid}${nsp}` } }));
    return;
  }
  if (packet.type === PacketType.DISCONNECT) {
    s.nsps = s.nsps.filter((n) => n !== nsp);
    peer.save();
    return;
  }
  if (packet.type !== PacketType.EVENT || !s.nsps.includes(nsp)) return;
  peer.save();
  const [name, params] = (Array.isArray(packet.data) ? packet.data : []) as [unknown, unknown];
  if (typeof name !== "string") return;
  const answer = await answerCall(host, s, name, params);
  if (packet.id !== undefined) peer.send(socketFrame({ type: PacketType.ACK, nsp, id: packet.id, data: answer.args }));
  if (answer.tokenFailed && !(await tokenStillUsable(host, s))) peer.close(4001, "access revoked");
}

type Answer = { args: unknown[]; tokenFailed: boolean };

/** `callBatch` (the pryv add-on's `socket.api()`), or one method call: the ack's `(err, result)`. */
async function answerCall(host: Host, s: SocketState, name: string, params: unknown): Promise<Answer> {
  // The rule every JSON value a client sends obeys (shared/json-input.ts), sockets included.
  try {
    assertAcceptableJson(params);
  } catch (err) {
    return { args: [toApiError(err).toBody()], tokenFailed: false };
  }
  const config = getConfig(host.env);
  const usage: (UsageEntry | null)[] = [];
  let tokenFailed = false;
  const answered = async (methodId: string, outcome: CallOutcome): Promise<{ result: Record<string, unknown> } | { error: ErrorBody }> => {
    usage.push(usageEntry(outcome, methodId, s.caller, SOCKET_SOURCE));
    if (!outcome.ok) {
      if (outcome.error.id === "invalid-access-token" || outcome.error.id === "forbidden") tokenFailed = true;
      return { error: outcome.error };
    }
    if (!(outcome.result instanceof StreamedResult)) return { result: outcome.result as Record<string, unknown> };
    try {
      return { result: await outcome.result.drain(MAX_BATCH_RESULT_ITEMS) };
    } catch (err) {
      return { error: toApiError(err).toBody() };
    }
  };
  let args: unknown[];
  if (name === "callBatch") {
    if (!Array.isArray(params) || params.length > MAX_BATCH_CALLS) {
      args = [errors.invalidRequestStructure(`callBatch takes an array of at most ${MAX_BATCH_CALLS} calls.`).toBody()];
    } else {
      const results: unknown[] = [];
      const calls = (params as { method?: unknown; params?: unknown }[]).map((call) => ({
        methodId: typeof call?.method === "string" ? call.method : "",
        params: call?.params ?? {},
      }));
      for (const run of runsOf(calls, (call) => call.methodId)) {
        const outcomes = run.writes
          ? await host.writeAll(run.calls.map((call) => callInput(s, call.methodId, call.params)))
          : [await runOne(host, s, run.calls[0]!.methodId, run.calls[0]!.params)];
        for (const [k, outcome] of outcomes.entries()) {
          const out = await answered(run.calls[k]!.methodId, outcome);
          results.push("error" in out ? { error: out.error } : out.result);
        }
      }
      args = [null, { results, meta: meta(config) }];
    }
  } else {
    const out = await answered(name, await runOne(host, s, name, params ?? {}));
    args = "error" in out ? [out.error] : [null, { ...out.result, meta: meta(config) }];
  }
  await host.recordUse(usage.filter((e): e is UsageEntry => e !== null));
  return { args, tokenFailed };
}

async function runOne(host: Host, s: SocketState, methodId: string, params: unknown): Promise<CallOutcome> {
  const method = findMethod(methodId);
  if (!method || method.scope !== "account" || method.httpOnly) {
    const error = errors.invalidMethod(methodId);
    return { ok: false, status: error.status, error: error.toBody(), accessId: s.accessId, userId: s.userId };
  }
  const input = callInput(s, methodId, params);
  return method.writes ? host.write(input) : host.read(input);
}

const callInput = (s: SocketState, methodId: string, params: unknown): CallInput => ({
  methodId,
  params,
  username: s.username,
  token: s.token,
  caller: s.caller,
});

async function tokenStillUsable(host: Host, s: SocketState): Promise<boolean> {
  const found = await loadListenerAccesses(createDb(host.env.DB), s.userId, [s.accessId]);
  return tokenUsable(found.get(s.accessId), s.token, nowSeconds());
}

/** Sends `change` to the sockets whose token may read it; closes those whose token is no longer usable. */
export async function notifyChange(host: Host, change: Change): Promise<void> {
  await notifyChanges(host, [change]);
}

/**
 * Tells the sockets of several changes of one account, in order (a group's
 * writes): each peer gets each change's messages, its access read once for
 * them all.
 */
export async function notifyChanges(host: Host, changes: readonly Change[]): Promise<void> {
  const userId = changes[0]?.userId;
  if (userId === undefined) return;
  const listeners = peers(host).filter((p) => p.state.userId === userId);
  if (!listeners.length) return;
  const ids = [...new Set(listeners.map((p) => p.state.accessId))];
  const found = await loadListenerAccesses(createDb(host.env.DB), userId, ids);
  const now = nowSeconds();
  for (const peer of listeners) {
    const access = found.get(peer.state.accessId);
    if (!tokenUsable(access, peer.state.token, now)) {
      peer.close(4001, "access revoked");
      continue;
    }
    if (peer.state.upgrading) continue; // its polling session is told
    for (const change of changes) for (const message of messagesFor(change, access!)) push(peer, message);
  }
}

/** Closes every socket and session (the account was deleted). */
export function closeAll(host: Host, reason: string): void {
  for (const peer of peers(host)) peer.close(4001, reason);
}

/** Whether anyone listens (the commit hook reads the state before a write only then). */
export const hasListeners = (host: Host): boolean => host.ctx.getWebSockets().length > 0 || host.polling.peers().length > 0;

/**
 * Pings every socket (Engine.IO v4: the server pings, the client answers) and
 * closes those silent for longer than an interval and the timeout. Returns
 * whether sockets remain (the next ping is due in `pingInterval`).
 */
export function pingSockets(host: Host): boolean {
  const now = Date.now();
  const limit = pingInterval(host.env) + PING_TIMEOUT_MS;
  let open = host.polling.expire(limit); // a held GET answers its own ping (polling.ts)
  for (const ws of host.ctx.getWebSockets()) {
    const s = state(ws);
    if (s?.kind === "json") continue; // no Engine.IO liveness: nothing to ping, no wake-up for it
    if (!s || now - s.seen > limit) {
      close(ws, 4000, "ping timeout");
      continue;
    }
    if (!s.upgrading) send(ws, PING_FRAME); // the probing socket is not the transport yet
    open++;
  }
  return open > 0;
}
