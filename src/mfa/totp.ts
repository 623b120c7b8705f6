/**
 * TOTP (RFC 6238) through `otpauth`: a maintained, dependency-free library
 * that runs in Workers (synchronous HMAC) and writes the `otpauth://` URI
 * authenticator apps scan — rather than our own HMAC truncation code.
 * SHA-1, 6 digits, 30 s: the parameters every authenticator app supports.
 */
import { Secret, TOTP } from "otpauth";

const PERIOD_SECONDS = 30;
/** Codes of the previous and next step are accepted too (clock drift, typing time). */
const WINDOW = 1;
const CODE = /^\d{6}$/;

function totp(secretBase32: string, issuer = "", label = "OTPAuth"): TOTP {
  return new TOTP({ issuer, label, secret: Secret.fromBase32(secretBase32), algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS });
}

/** A new secret (160 bits, RFC 4226's recommendation), base32 as apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The setup URI (QR code content): issuer = the service's name, label = the username. */
export function setupUri(secretBase32: string, issuer: string, username: string): string {
  return totp(secretBase32, issuer, username).toString();
}

/** The time step `code` belongs to within the window around `nowMs`, or null if it matches none. */
export function matchingStep(secretBase32: string, code: string, nowMs: number): number | null {
  if (!CODE.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: nowMs, window: WINDOW });
  return delta === null ? null : TOTP.counter({ period: PERIOD_SECONDS, timestamp: nowMs }) + delta;
}
