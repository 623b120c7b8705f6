/**
 * The reference's slug for client-chosen ids and tokens (npm `slug` 9,
 * rfc3986 mode, case kept): accents transliterated, characters outside
 * `A-Za-z0-9_.~-` dropped, runs of spaces and dashes made one dash; when
 * nothing usable remains, the slug of the input's base64.
 */
const SPECIAL: Record<string, string> = { ß: "ss", æ: "ae", Æ: "AE", ø: "o", Ø: "O", œ: "oe", Œ: "OE", đ: "d", Đ: "D", ł: "l", Ł: "L", þ: "th", Þ: "TH" };

/** Ids no item may take. */
export const RESERVED_IDS: ReadonlySet<string> = new Set(["*", "null", "undefined"]);

/** The slug of `input`; empty when nothing usable remains. */
export function slug(input: string): string {
  let out = "";
  for (const ch of input) {
    const latin = SPECIAL[ch] ?? ch.normalize("NFKD").replace(/\p{M}/gu, "");
    out += latin.replaceAll("-", " ");
  }
  return out
    .replace(/[^\w\s.~]/g, "")
    .trim()
    .replace(/\s+/g, "-");
}

function toBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A client's id or token as the reference stores it. */
export function clientSlug(input: string): string {
  return slug(input) || slug(toBase64(input));
}
