/** Sealing TOTP secrets at rest, and what happens without SECRETS_KEY (the api project sets one). */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import type { Env } from "../../src/env";
import { ApiError } from "../../src/errors";
import { getMethod } from "../../src/methods/registry";
import type { MethodContext } from "../../src/methods/method";
import { openSecret, sealSecret } from "../../src/mfa/mfa-crypto";
import { matchingStep, newTotpSecret } from "../../src/mfa/totp";
import { totpCode } from "./helpers";

const withKey = (key: string) => parseConfig({ ENVIRONMENT: "local", SECRETS_KEY: key } as Env);
const KEY = "a-secrets-key-for-the-mfa-unit-tests-0123";

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("mfa secrets at rest", () => {
  it("seals with a fresh IV each time and opens for the same user and key only", async () => {
    const config = withKey(KEY);
    const secret = newTotpSecret();
    const box = await sealSecret(config, 7, secret);
    expect(box).not.toContain(secret);
    expect(await sealSecret(config, 7, secret)).not.toBe(box);
    expect(await openSecret(config, 7, box)).toBe(secret);
    expect((await refusal(openSecret(config, 8, box))).id).toBe("api-unavailable");
    expect((await refusal(openSecret(withKey(`${KEY}-other`), 7, box))).id).toBe("api-unavailable");
    const [v, iv, sealed] = box.split(".");
    const altered = `${v}.${iv}.${sealed!.startsWith("A") ? "B" : "A"}${sealed!.slice(1)}`;
    expect((await refusal(openSecret(config, 7, altered))).id).toBe("api-unavailable");
  });

  it("without SECRETS_KEY nothing is sealed or opened, and mfa.activate answers api-unavailable 503", async () => {
    const config = parseConfig({ ENVIRONMENT: "local" } as Env);
    expect(config.secretsKey).toBeNull();
    const sealing = await refusal(sealSecret(config, 1, newTotpSecret()));
    expect([sealing.id, sealing.status]).toEqual(["api-unavailable", 503]);
    const ctx = { config, user: { id: 1, username: "someone" }, writer: {}, db: {} } as unknown as MethodContext;
    const activating = await refusal(getMethod("mfa.activate").handler(ctx, {}));
    expect([activating.id, activating.status]).toEqual(["api-unavailable", 503]);
  });

  it("matches a code to its time step within one step either side", () => {
    const secret = newTotpSecret();
    const now = Date.now();
    const step = Math.floor(now / 30_000);
    expect(matchingStep(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchingStep(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchingStep(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchingStep(secret, totpCode(secret, now + 90_000), now)).toBeNull();
    expect(matchingStep(secret, "12345", now)).toBeNull();
  });
});
