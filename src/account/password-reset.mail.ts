/**
 * The password reset mail, in the account's language (English unless French).
 * The link carries the token in its fragment (`…/reset#username=…&token=…`):
 * a fragment never leaves the browser, so the token reaches no server log nor
 * `Referer`; the reset page reads it from there.
 */
import { html } from "hono/html";
import type { Config } from "../config";
import type { MailMessage } from "../mail/mail-sender";

export function resetLink(config: Config, username: string, token: string): string {
  const fragment = new URLSearchParams({ username, token });
  return `${config.accessRequests.authUrl}/reset#${fragment}`;
}

function lifetime(seconds: number, french: boolean): string {
  const hours = seconds / 3600;
  if (Number.isInteger(hours)) return french ? `${hours} heure${hours > 1 ? "s" : ""}` : `${hours} hour${hours > 1 ? "s" : ""}`;
  const minutes = Math.round(seconds / 60);
  return `${minutes} minute${minutes > 1 ? "s" : ""}`;
}

const TEXTS = {
  en: (service: string, username: string, valid: string) => ({
    subject: `Reset your ${service} password`,
    lines: [
      `Someone, hopefully you, asked to reset the password of the account "${username}" on ${service}.`,
      `To choose a new password, open this link within ${valid}; it works once:`,
    ],
    ignore: "If you did not ask for this, ignore this message: your password stays as it is.",
  }),
  fr: (service: string, username: string, valid: string) => ({
    subject: `Réinitialisation de votre mot de passe ${service}`,
    lines: [
      `Quelqu'un, vous peut-être, a demandé la réinitialisation du mot de passe du compte « ${username} » sur ${service}.`,
      `Pour choisir un nouveau mot de passe, ouvrez ce lien dans les ${valid} ; il ne sert qu'une fois :`,
    ],
    ignore: "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.",
  }),
};

export async function resetMail(config: Config, user: { username: string; email: string; language: string }, token: string): Promise<MailMessage> {
  const french = user.language.toLowerCase().startsWith("fr");
  const link = resetLink(config, user.username, token);
  const t = TEXTS[french ? "fr" : "en"](config.service.name, user.username, lifetime(config.passwordReset.ttlSeconds, french));
  return {
    to: user.email,
    subject: t.subject,
    text: `${t.lines.join("\n")}\n\n${link}\n\n${t.ignore}\n`,
    html: String(await html`<p>${t.lines[0]}</p><p>${t.lines[1]}</p><p><a href="${link}">${link}</a></p><p>${t.ignore}</p>`),
  };
}
