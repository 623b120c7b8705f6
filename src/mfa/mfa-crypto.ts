/**
 * What MFA keeps secret at rest.
 * - TOTP secrets are sealed with AES-256-GCM (WebCrypto) under a key derived by
 *   HKDF-SHA-256 from SECRETS_KEY, the user id as additional data: a row copied
 *   to another account does not open there. Sealed form: `v1.{iv}.{ciphertext}` (base64).
 * - mfaTokens and recovery codes are kept as SHA-256 digests: both are random
 *   and high-entropy (≥ 122 bits), so a fast hash cannot be brute-forced and
 *   PBKDF2's cost (made for guessable passwords) would buy nothing.
 */
import type { Config } from "../config";
import { errors } from "../errors";
import { fromBase64, toBase64 } from "../shared/crypto";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const VERSION = "v1";
const HKDF_INFO = encoder.encode("pryv-edge mfa totp-secret v1");
const IV_BYTES = 12;

let derived: { from: string; key: Promise<CryptoKey> } | null = null;

function sealingKey(config: Config): Promise<CryptoKey> {
  const secretsKey = config.secretsKey;
  if (!secretsKey) throw errors.apiUnavailable("MFA is not enabled on this server (SECRETS_KEY is not set).");
  if (derived?.from !== secretsKey) {
    const key = crypto.subtle
      .importKey("raw", encoder.encode(secretsKey), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: HKDF_INFO },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    derived = { from: secretsKey, key };
  }
  return derived.key;
}

/** Whether MFA can be set up here (a key to seal secrets with). */
export function mfaConfigured(config: Config): boolean {
  return Boolean(config.secretsKey);
}

export async function sealSecret(config: Config, userId: number, secret: string): Promise<string> {
  const key = await sealingKey(config);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(String(userId)) },
    key,
    encoder.encode(secret),
  );
  return `${VERSION}.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

/** The secret back; a box that does not open (other key, other user, altered) is the server's misconfiguration. */
export async function openSecret(config: Config, userId: number, box: string): Promise<string> {
  const key = await sealingKey(config);
  const [version, iv, sealed] = box.split(".");
  try {
    if (version !== VERSION || !iv || !sealed) throw new Error("unknown box format");
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(iv), additionalData: encoder.encode(String(userId)) },
      key,
      fromBase64(sealed),
    );
    return decoder.decode(plain);
  } catch {
    throw errors.apiUnavailable("The account's MFA secret cannot be read with this server's SECRETS_KEY.");
  }
}

