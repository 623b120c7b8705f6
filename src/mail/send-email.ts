/**
 * MAIL_SENDER=send-email: Cloudflare Email Routing's `send_email` binding
 * (MAIL), fed a raw MIME message built with mimetext. Its browser build is the
 * one for Workers: CRLF line ends as RFC 5322 wants (the Node build uses the
 * platform's) and no Node modules.
 */
import { EmailMessage } from "cloudflare:email";
import { createMimeMessage } from "mimetext/browser";
import type { Config } from "../config";
import type { Env } from "../env";
import { MailError, type MailMessage } from "./mail-message";

/** Base64 lines of at most 76 characters (RFC 2045). */
function wrapped(base64: string): string {
  return base64.replace(/.{76}(?=.)/g, "$&\r\n");
}

/** The raw RFC 5322 message: UTF-8 parts in base64, text and (if any) HTML as alternatives. */
export function mimeMessage(from: string, message: MailMessage): string {
  const mime = createMimeMessage();
  mime.setSender(from);
  mime.setRecipient(message.to);
  mime.setSubject(message.subject);
  mime.addMessage({ contentType: "text/plain", encoding: "base64", data: wrapped(mime.toBase64(message.text)) });
  if (message.html !== undefined) {
    mime.addMessage({ contentType: "text/html", encoding: "base64", data: wrapped(mime.toBase64(message.html)) });
  }
  return mime.asRaw();
}

export async function sendWithBinding(env: Env, config: Config, message: MailMessage): Promise<void> {
  if (!env.MAIL) throw new MailError("MAIL_SENDER=send-email needs the MAIL send_email binding");
  const from = config.mail.from;
  await env.MAIL.send(new EmailMessage(from, message.to, mimeMessage(from, message)));
}
