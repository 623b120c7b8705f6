/**
 * The senders, unit-level: the HTTP mail API's request and its URL rule, the
 * MIME message built for the `send_email` binding, the outbox.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { httpMailRequest } from "../../src/mail/http-mail";
import { MailError, sendMail, type MailMessage } from "../../src/mail/mail-sender";
import { listOutbox } from "../../src/mail/outbox";
import { mimeMessage, sendWithBinding } from "../../src/mail/send-email";

const MESSAGE: MailMessage = {
  to: "alice@example.com",
  subject: "Réinitialisation du mot de passe",
  text: `Ouvrez ce lien : https://pryv.test/reg/auth/reset#username=alice&token=abc\n${"é".repeat(120)}\n`,
  html: '<p><a href="https://pryv.test/reg/auth/reset">lien</a></p>',
};

const production = (vars: Partial<Env>) =>
  parseConfig({ ENVIRONMENT: "production", PUBLIC_URL: "https://pryv.test", DOMAIN: "pryv.test", ...vars } as Env);

const httpConfig = (url: string) => production({ MAIL_SENDER: "http", MAIL_API_URL: url, MAIL_API_KEY: "mail-api-key-123" });

function decodeBase64Utf8(text: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("http mail sender", () => {
  it("POSTs the message as JSON with the key as a bearer token", async () => {
    const request = httpMailRequest(httpConfig("https://mail.example.com/v1/send"), MESSAGE);
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://mail.example.com/v1/send");
    expect(request.headers.get("Authorization")).toBe("Bearer mail-api-key-123");
    expect(request.headers.get("Content-Type")).toBe("application/json");
    expect(request.redirect).toBe("manual");
    expect(await request.json()).toEqual({ from: "no-reply@pryv.test", ...MESSAGE });
  });

  for (const url of ["http://10.0.0.7/send", "http://127.0.0.1:9000/send", "http://[::1]/send", "http://mail.localhost/send"]) {
    it(`refuses the private target ${url} in production, without calling it`, async () => {
      const fetchSpy = vi.spyOn(globalThis, "fetch");
      const config = httpConfig(url);
      expect(() => httpMailRequest(config, MESSAGE)).toThrow(MailError);
      await expect(sendMail(env as Env, config, MESSAGE)).rejects.toThrow(MailError);
      expect(fetchSpy).not.toHaveBeenCalled();
    });
  }

  it("allows a private target where the operator allows private targets (local development)", () => {
    const config = parseConfig({ ENVIRONMENT: "local", WEBHOOKS_ALLOW_PRIVATE: "true", MAIL_SENDER: "http", MAIL_API_URL: "http://127.0.0.1:9000/send", MAIL_API_KEY: "k" } as Env);
    expect(httpMailRequest(config, MESSAGE).url).toBe("http://127.0.0.1:9000/send");
  });

  it("a non-2xx answer is a MailError; a 2xx one is a success", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(new Response("no", { status: 502 }));
    const config = httpConfig("https://mail.example.com/v1/send");
    await expect(sendMail(env as Env, config, MESSAGE)).rejects.toThrow(MailError);
    fetchSpy.mockResolvedValueOnce(new Response("{}", { status: 202 }));
    await expect(sendMail(env as Env, config, MESSAGE)).resolves.toBeUndefined();
    expect(fetchSpy).toHaveBeenCalledTimes(2);
  });
});

describe("send_email sender", () => {
  const raw = mimeMessage("no-reply@pryv.test", MESSAGE);
  const [head, ...rest] = raw.split("\r\n\r\n");
  const body = rest.join("\r\n\r\n");
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, "mi").exec(head!)?.[1]?.trim();

  it("builds an RFC 5322 message: From, To, an encoded Subject, CRLF line ends", () => {
    expect(header("From")).toContain("no-reply@pryv.test");
    expect(header("To")).toContain("alice@example.com");
    const subject = /^=\?utf-8\?B\?(.+)\?=$/i.exec(header("Subject")!);
    expect(decodeBase64Utf8(subject![1]!)).toBe(MESSAGE.subject);
    expect(header("MIME-Version")).toBe("1.0");
    expect(header("Date")).toBeTruthy();
    expect(raw.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/);
    for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
  });

  it("carries the text and the HTML as UTF-8 alternatives", () => {
    expect(header("Content-Type")).toMatch(/^multipart\/alternative; boundary=/);
    const parts = [...body.matchAll(/Content-Type: (text\/\w+); charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n(?:\r\n)?--/g)];
    const decoded = Object.fromEntries(parts.map(([, type, data]) => [type, decodeBase64Utf8(data!)]));
    expect(decoded).toEqual({ "text/plain": MESSAGE.text, "text/html": MESSAGE.html });
  });

  it("hands the binding an EmailMessage from MAIL_FROM to the recipient", async () => {
    const sent: { from: string; to: string }[] = [];
    const fakeBinding = { send: async (message: { from: string; to: string }) => void sent.push(message) };
    const config = production({ MAIL_SENDER: "send-email", MAIL_FROM: "accounts@pryv.test" });
    await sendWithBinding({ ...(env as Env), MAIL: fakeBinding as unknown as SendEmail }, config, MESSAGE);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.from).toBe("accounts@pryv.test");
    expect(sent[0]!.to).toBe("alice@example.com");
  });

  it("without the MAIL binding, fails with a MailError", async () => {
    const config = production({ MAIL_SENDER: "send-email" });
    await expect(sendMail({ ...(env as Env), MAIL: undefined }, config, MESSAGE)).rejects.toThrow(MailError);
  });
});

describe("outbox and none", () => {
  it("the outbox keeps messages, newest first", async () => {
    const config = parseConfig({ ENVIRONMENT: "local" } as Env);
    expect(config.mail.sender).toBe("outbox");
    await sendMail(env as Env, config, { ...MESSAGE, to: "first@example.com" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sendMail(env as Env, config, { ...MESSAGE, to: "second@example.com" });
    const [newest, previous] = await listOutbox(env as Env);
    expect(newest).toMatchObject({ to: "second@example.com", subject: MESSAGE.subject, text: MESSAGE.text });
    expect(previous!.to).toBe("first@example.com");
    expect(newest!.sent).toBeGreaterThan(previous!.sent);
  });

  it("MAIL_SENDER=none sends nothing", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const before = (await listOutbox(env as Env)).length;
    await sendMail(env as Env, production({}), MESSAGE);
    expect(production({}).mail.sender).toBe("none");
    expect((await listOutbox(env as Env)).length).toBe(before);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
