/**
 * The one way this service sends mail: `sendMail` hands a message to the
 * sender the operator configured (MAIL_SENDER): the local outbox, Cloudflare's
 * `send_email` binding, an HTTP mail API, or none. Callers decide what a
 * failure means; the password reset logs it (ids only) and answers as if sent.
 */
import type { Config } from "../config";
import type { Env } from "../env";
import { sendWithHttpApi } from "./http-mail";
import { putInOutbox } from "./outbox";

import type { MailMessage } from "./mail-message";

export { MailError, type MailMessage } from "./mail-message";

export async function sendMail(env: Env, config: Config, message: MailMessage): Promise<void> {
  switch (config.mail.sender) {
    case "none":
      return;
    case "outbox":
      return putInOutbox(env, message);
    case "http":
      return sendWithHttpApi(config, message);
    case "send-email": {
      // Loaded only when used: the other senders never need the runtime's `cloudflare:email` module.
      const { sendWithBinding } = await import("./send-email");
      return sendWithBinding(env, config, message);
    }
  }
}
