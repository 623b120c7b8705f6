/**
 * Engine.IO v4 HTTP long-polling, in the account's Durable Object, until the
 * client upgrades to WebSocket (socket.io-client's default transports,
 * `["polling", "websocket"]`). The Worker authenticates every request's token
 * (socket-route.ts) and forwards it here with the grant.
 *
 * - GET without `sid`: a new session; the body is the open packet (offering
 *   the upgrade to `websocket`).
 * - POST with `sid`: a payload of packets from the client, each handled as a
 *   WebSocket frame would be (socket-host.ts `onFrame`); answered `ok`.
 * - GET with `sid`: the buffered packets at once, or held until one is queued;
 *   a GET held for a whole ping interval is answered with a ping (the Engine.IO
 *   server pings over whichever transport is current, and the client answers
 *   by POST). A second GET releases the first (noop).
 * - The upgrade (socket-host.ts): the WebSocket's `2probe` releases a held GET
 *   with a noop (`6`), and later GETs are answered at once, so the client can
 *   pause polling; the client's `5` moves
 *   the session's namespaces and buffered packets to the WebSocket and ends
 *   the session (a GET still held gets a noop).
 *
 * State: each session (grant, namespaces, last seen, buffered packets) is one
 * entry of the object's storage, so it does not depend on the object staying
 * in memory between requests; only the held GETs' resolvers are in memory (a
 * held GET keeps the object awake anyway). Buffers are bounded
 * (`MAX_BUFFERED` packets: beyond, the session is closed); a session silent
 * for longer than the ping interval and timeout is dropped by the alarm.
 *
 * Hand-written here, not given by the parsers: the session logic itself
 * (engine.io-parser only encodes packets and payloads; the `engine.io` server
 * package needs Node's http and is not usable in the Workers runtime), and
 * the error bodies `{code, message}` copied from the `engine.io` server.
 */
import type { Env } from "../env";
import { CLOSE_FRAME, NOOP_FRAME, openFrame, payloadFrames, PING_FRAME, pollPayload } from "./protocol";
import {
  handshake,
  MAX_PAYLOAD,
  onFrame,
  pingInterval,
  sessionUnknown,
  type Host,
  type Peer,
  type PollingSessions,
  type SocketGrant,
  type SocketState,
} from "./socket-host";

const PREFIX = "poll:";
/** Packets buffered for a session between two GETs; beyond, the client is too slow: closed. */
const MAX_BUFFERED = 1000;

interface Session {
  state: SocketState;
  outbox: string[];
  /** Closed by the server: the next GET delivers the close packet and ends it. */
  closed?: boolean;
  /** The upgrade's probe arrived: GETs are answered at once (noop) so that the client can pause polling. */
  probed?: boolean;
}

const textResponse = (body: string) =>
  new Response(body, { headers: { "Content-Type": "text/plain; charset=UTF-8", "Cache-Control": "no-store" } });

export class Polling implements PollingSessions {
  /** Held GETs: resolved with the frame to answer when the buffer is empty. */
  private readonly waiting = new Map<string, (fallback: string) => void>();
  /**
   * False once a listing found no session, until one is stored: every write asks
   * whether anyone listens (socket-host.ts hasListeners), and the storage holds no session nearly always.
   */
  private mayHaveSessions = true;

  constructor(
    private readonly kv: SyncKvStorage,
    private readonly env: Env,
  ) {}

  private load(sid: string): Session | undefined {
    return this.kv.get<Session>(PREFIX + sid);
  }

  private store(session: Session): void {
    this.mayHaveSessions = true;
    this.kv.put(PREFIX + session.state.sid, session);
  }

  private end(sid: string): void {
    this.kv.delete(PREFIX + sid);
  }

  private wake(sid: string, fallback: string): void {
    const resolve = this.waiting.get(sid);
    if (resolve) {
      this.waiting.delete(sid);
      resolve(fallback);
    }
  }

  private peer(session: Session): Peer {
    const sid = session.state.sid;
    const state = session.state;
    return {
      state,
      send: (frame) => {
        const current = this.load(sid);
        if (!current || current.closed) return;
        current.outbox.push(frame);
        if (current.outbox.length > MAX_BUFFERED) {
          current.outbox = [CLOSE_FRAME];
          current.closed = true;
        }
        this.store(current);
        this.wake(sid, NOOP_FRAME);
      },
      close: () => {
        const current = this.load(sid);
        if (!current || current.closed) return;
        current.outbox.push(CLOSE_FRAME);
        current.closed = true;
        this.store(current);
        this.wake(sid, NOOP_FRAME);
      },
      save: () => {
        const current = this.load(sid);
        if (current) this.store({ ...current, state });
      },
    };
  }

  peers(): Peer[] {
    const out: Peer[] = [];
    if (!this.mayHaveSessions) return out;
    let stored = 0;
    for (const [, session] of this.kv.list<Session>({ prefix: PREFIX })) {
      stored++;
      if (!session.closed) out.push(this.peer(session));
    }
    this.mayHaveSessions = stored > 0;
    return out;
  }

  probed(sid: string): void {
    // The client pauses polling once its pending GET is answered; it may not have sent it yet,
    // so the session remembers the probe (the `engine.io` server re-sends a noop every 100 ms instead).
    const session = this.load(sid);
    if (session && !session.probed) this.store({ ...session, probed: true });
    this.wake(sid, NOOP_FRAME);
  }

  takeOver(sid: string): { state: SocketState; frames: string[] } | null {
    const session = this.load(sid);
    if (!session || session.closed) return null;
    this.end(sid);
    this.wake(sid, NOOP_FRAME);
    return { state: session.state, frames: session.outbox };
  }

  expire(limitMs: number): number {
    const now = Date.now();
    let open = 0;
    for (const [, session] of this.kv.list<Session>({ prefix: PREFIX })) {
      if (now - session.state.seen > limitMs) {
        this.end(session.state.sid);
        this.wake(session.state.sid, CLOSE_FRAME);
      } else open++;
    }
    return open;
  }

  /** One polling request (GET or POST), its token authenticated by the Worker. */
  async request(host: Host, request: Request, grant: SocketGrant, sid: string | null): Promise<Response> {
    if (!sid) {
      if (request.method !== "GET") return sessionUnknown();
      const state: SocketState = { ...grant, sid: crypto.randomUUID(), nsps: [], seen: Date.now() };
      this.store({ state, outbox: [] });
      return textResponse(pollPayload([openFrame(handshake(host, state.sid), ["websocket"])]));
    }
    const session = this.load(sid);
    // A session is its token's: another token (even of the account) does not reach it.
    if (!session || session.state.accessId !== grant.accessId || session.state.token !== grant.token) return sessionUnknown();
    session.state.seen = Date.now();
    this.store(session);
    if (request.method === "POST") {
      const body = await request.text();
      if (body.length > MAX_PAYLOAD) return Response.json({ code: 3, message: "Bad request" }, { status: 413 });
      const frames = payloadFrames(body);
      if (!frames) return Response.json({ code: 3, message: "Bad request" }, { status: 400 });
      for (const frame of frames) {
        const current = this.load(sid);
        if (!current || current.closed) break;
        await onFrame(host, this.peer(current), frame);
      }
      return new Response("ok", { headers: { "Content-Type": "text/html" } });
    }
    if (!session.outbox.length && !session.closed && !session.probed) {
      this.wake(sid, NOOP_FRAME); // a GET already held is released
      const fallback = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => this.wake(sid, PING_FRAME), pingInterval(this.env));
        this.waiting.set(sid, (frame) => {
          clearTimeout(timer);
          resolve(frame);
        });
      });
      return this.flush(sid, fallback);
    }
    return this.flush(sid, NOOP_FRAME);
  }

  /** Answers a GET with the buffer (or `fallback` when empty), emptying it. */
  private flush(sid: string, fallback: string): Response {
    const session = this.load(sid);
    if (!session) return textResponse(pollPayload([fallback === PING_FRAME ? CLOSE_FRAME : fallback]));
    const frames = session.outbox.length ? session.outbox : [fallback];
    if (session.closed) this.end(sid);
    else this.store({ ...session, outbox: [] });
    return textResponse(pollPayload(frames));
  }
}
