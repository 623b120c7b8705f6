/** MFA set-ups for tests: codes computed from the secret with otpauth, as an authenticator app would. */
import { Secret, TOTP } from "otpauth";
import { expect } from "vitest";
import { post } from "../helpers/api";
import { createUser, type TestUser } from "../helpers/users";

/** The code of the step holding `timestampMs` (now by default). */
export function totpCode(secret: string, timestampMs = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: timestampMs });
}

/** A code for the next 30 s step: accepted now (window ±1) and newer than the current one. */
export const nextStepCode = (secret: string) => totpCode(secret, Date.now() + 30_000);

export async function activate(user: TestUser) {
  const res = await post(`/${user.username}/mfa/activate`, {}, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(302);
  return res.body as { mfaToken: string; secret: string; uri: string };
}

/** A new account with MFA active; `confirmCode` is the code that confirmed it. */
export async function userWithMfa(overrides: Record<string, unknown> = {}) {
  const user = await createUser(overrides);
  const { mfaToken, secret } = await activate(user);
  const confirmCode = totpCode(secret);
  const res = await post(`/${user.username}/mfa/confirm`, { code: confirmCode }, { token: mfaToken });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { user, secret, confirmCode, recoveryCodes: res.body.recoveryCodes as string[] };
}
