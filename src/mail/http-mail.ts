/**
 * MAIL_SENDER=http: the message as JSON (`{from, to, subject, text, html?}`)
 * POSTed to MAIL_API_URL with `Authorization: Bearer {MAIL_API_KEY}`. The URL
 * obeys the rule of every outgoing call (shared/outgoing-url.ts), redirects are
 * not followed, and a call gets CALL_TIMEOUT_MS.
 */
import type { Config } from "../config";
import { refusedTarget } from "../shared/outgoing-url";
import { MailError, type MailMessage } from "./mail-message";

const CALL_TIMEOUT_MS = 10_000;

/** The request for one message, or a MailError when the configured URL may not be called. */
export function httpMailRequest(config: Config, message: MailMessage): Request {
  const { apiUrl, apiKey, from } = config.mail;
  if (!apiUrl || !apiKey) throw new MailError("MAIL_API_URL and MAIL_API_KEY are required");
  if (refusedTarget(apiUrl, config.webhooks.allowPrivateTargets)) throw new MailError("MAIL_API_URL is not an allowed target");
  const body: Record<string, string> = { from, to: message.to, subject: message.subject, text: message.text };
  if (message.html !== undefined) body.html = message.html;
  return new Request(apiUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
    redirect: "manual",
  });
}

export async function sendWithHttpApi(config: Config, message: MailMessage): Promise<void> {
  const res = await fetch(httpMailRequest(config, message), { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  await res.body?.cancel();
  if (res.status < 200 || res.status >= 300) throw new MailError(`mail API answered ${res.status}`);
}
