/** What a sender is handed, and how it fails. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** A mail that could not be handed over; its message names the step, never the message or the address. */
export class MailError extends Error {
  override name = "MailError";
}
