/**
 * An attachment's `readToken` lets a link be shared without the access
 * token: `{accessId}-{HMAC(account secret, accessId:eventId:fileId)}`. It is
 * honoured while that access exists and may still read the event.
 */
import { timingSafeEqualStrings } from "../shared/crypto";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyOf(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size > 1000) keys.clear();
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, accessId: string, eventId: string, fileId: string): Promise<string> {
  const signature = await crypto.subtle.sign("HMAC", await keyOf(secret), encoder.encode(`${accessId}:${eventId}:${fileId}`));
  let binary = "";
  for (const byte of new Uint8Array(signature)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "").slice(0, 32);
}

export async function readToken(secret: string, accessId: string, eventId: string, fileId: string): Promise<string> {
  return `${accessId}-${await mac(secret, accessId, eventId, fileId)}`;
}

/** The access a read token was made for, if the token is genuine for this file. */
export async function readTokenAccess(secret: string, token: string, eventId: string, fileId: string): Promise<string | null> {
  const dash = token.indexOf("-");
  if (dash <= 0) return null;
  const accessId = token.slice(0, dash);
  const expected = await mac(secret, accessId, eventId, fileId);
  return timingSafeEqualStrings(token.slice(dash + 1), expected) ? accessId : null;
}

/** The event as the caller gets it: each attachment with the caller's own read token. */
export async function withReadTokens<E extends { id: string; attachments?: { id: string }[] }>(
  event: E,
  secret: string | null,
  accessId: string,
): Promise<E> {
  if (!event.attachments?.length || !secret) return event;
  const attachments = await Promise.all(
    event.attachments.map(async (a) => ({ ...a, readToken: await readToken(secret, accessId, event.id, a.id) })),
  );
  return { ...event, attachments };
}
