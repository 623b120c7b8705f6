/** Identifiers and secrets from `crypto.getRandomValues`. */

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** `length` characters drawn uniformly from [0-9a-z] (rejection sampling: no modulo bias). */
export function randomBase36(length: number): string {
  let out = "";
  const bytes = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (b < 252) out += ALPHABET[b % 36];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A cuid-shaped id (`c` + 24 chars), the form Pryv clients expect for item ids. */
export function newId(): string {
  return `c${randomBase36(24)}`;
}

/** An access token: 32 base-36 characters, about 165 random bits. */
export function newToken(): string {
  return randomBase36(32);
}
