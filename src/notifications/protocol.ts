/**
 * Socket.IO v4 over Engine.IO v4 (WebSocket and HTTP long-polling): the framing, through
 * the maintained protocol packages (`engine.io-parser`, `socket.io-parser`;
 * both are plain JavaScript and run in the Workers runtime). Text frames only:
 * Pryv method calls carry JSON, so binary packets are refused.
 */
import { decodePacket, decodePayload, encodePacket, encodePayload, type Packet as EnginePacket } from "engine.io-parser";
import { Decoder, Encoder, PacketType, type Packet as SocketPacket } from "socket.io-parser";

export { PacketType };
export type { SocketPacket };

/** Engine.IO handshake parameters (see docs/notifications.md for the choice of ping). */
export interface Handshake {
  sid: string;
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

function encodeEngine(packet: EnginePacket): string {
  let out = "";
  encodePacket(packet, false, (encoded) => {
    out = encoded as string;
  }); // synchronous for text packets
  return out;
}

/** The open packet: a polling session offers the upgrade to WebSocket; a WebSocket has none to offer. */
export const openFrame = (handshake: Handshake, upgrades: string[] = []): string =>
  encodeEngine({ type: "open", data: JSON.stringify({ ...handshake, upgrades }) });
export const PING_FRAME = encodeEngine({ type: "ping" });
export const PONG_PROBE_FRAME = encodeEngine({ type: "pong", data: "probe" });
export const NOOP_FRAME = encodeEngine({ type: "noop" });
export const CLOSE_FRAME = encodeEngine({ type: "close" });

/**
 * A polling response body: the encoded packets of the buffer (the parser's
 * `encodePayload`; records separated by \x1e). The buffer holds packets
 * already encoded as text, so they are decoded back to packets first.
 */
export function pollPayload(frames: string[]): string {
  let out = "";
  encodePayload(frames.map((f) => decodePacket(f)), (encoded) => {
    out = encoded;
  }); // synchronous for text packets
  return out;
}

/** A polling request body: its packets, each re-encoded as the frame a WebSocket would carry. */
export function payloadFrames(body: string): string[] | null {
  const packets = decodePayload(body);
  if (packets.some((p) => p.type === "error")) return null;
  return packets.map((p) => encodeEngine(p));
}

const encoder = new Encoder();

/** One Socket.IO packet as the text frame carrying it. */
export function socketFrame(packet: SocketPacket): string {
  const [encoded] = encoder.encode(packet) as unknown[];
  return encodeEngine({ type: "message", data: encoded as string });
}

/** An incoming frame: an Engine.IO packet, with its Socket.IO packet if it is a message. */
export type Incoming =
  | { kind: "ping"; data: string | undefined }
  | { kind: "pong" }
  | { kind: "close" }
  | { kind: "upgrade" }
  | { kind: "socket"; packet: SocketPacket }
  | { kind: "other" }
  | { kind: "invalid" };

export function decodeFrame(frame: string | ArrayBuffer): Incoming {
  if (typeof frame !== "string") return { kind: "invalid" }; // binary: not part of the Pryv protocol
  const packet = decodePacket(frame);
  switch (packet.type) {
    case "ping":
      return { kind: "ping", data: packet.data as string | undefined };
    case "pong":
      return { kind: "pong" };
    case "close":
      return { kind: "close" };
    case "upgrade":
      return { kind: "upgrade" };
    case "message": {
      if (typeof packet.data !== "string") return { kind: "invalid" };
      let decoded: SocketPacket | null = null;
      const decoder = new Decoder();
      decoder.on("decoded", (p: SocketPacket) => {
        decoded = p;
      });
      try {
        decoder.add(packet.data);
      } catch {
        return { kind: "invalid" };
      }
      // A binary event waits for attachments that never come over text frames.
      return decoded ? { kind: "socket", packet: decoded } : { kind: "invalid" };
    }
    case "error":
      return { kind: "invalid" };
    default:
      return { kind: "other" };
  }
}
