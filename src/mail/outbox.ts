/**
 * MAIL_SENDER=outbox (local development only; config.ts refuses it elsewhere):
 * messages are kept in KV for a day instead of being sent, and shown at
 * `/reg/dev/outbox` (outbox.routes.ts) so a mailed flow can be followed by
 * hand and by tests.
 */
import type { Env } from "../env";
import type { MailMessage } from "./mail-sender";

export interface OutboxEntry extends MailMessage {
  id: string;
  /** Seconds since the epoch. */
  sent: number;
}

const PREFIX = "outbox:";
const TTL_SECONDS = 24 * 3600;
/** KV lists keys in ascending order: keys count down from this, so the newest come first. */
const LATEST_MS = 10 ** 15;
const KEY_DIGITS = 15;

export async function putInOutbox(env: Env, message: MailMessage): Promise<void> {
  const now = Date.now();
  const id = `${String(LATEST_MS - now).padStart(KEY_DIGITS, "0")}-${crypto.randomUUID()}`;
  const entry: OutboxEntry = { id, sent: now / 1000, ...message };
  await env.KV.put(PREFIX + id, JSON.stringify(entry), { expirationTtl: TTL_SECONDS });
}

/** The newest `limit` messages, newest first. */
export async function listOutbox(env: Env, limit = 50): Promise<OutboxEntry[]> {
  const { keys } = await env.KV.list({ prefix: PREFIX, limit });
  const entries = await Promise.all(keys.map((k) => env.KV.get<OutboxEntry>(k.name, "json")));
  return entries.filter((e): e is OutboxEntry => e !== null);
}
