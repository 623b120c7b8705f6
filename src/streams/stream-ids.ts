/**
 * Stream ids: a client's id is slugified as the reference does (accents
 * transliterated, other characters outside `A-Za-z0-9_.~-` dropped, runs of
 * spaces and dashes made one dash, case kept); without one, the id is made
 * from the name (lowercase) and made unique with a numeric suffix.
 */
import { errors } from "../errors";

const SPECIAL: Record<string, string> = { ß: "ss", æ: "ae", Æ: "AE", ø: "o", Ø: "O", œ: "oe", Œ: "OE", đ: "d", Đ: "D", ł: "l", Ł: "L", þ: "th", Þ: "TH" };
const RESERVED_IDS = new Set(["*", "null", "undefined"]);

function toBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

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

/** A client-chosen stream id, slugified; `invalid-item-id` for the reserved ones. */
export function clientStreamId(id: string): string {
  const slugged = slug(id) || slug(toBase64(id));
  if (RESERVED_IDS.has(id) || RESERVED_IDS.has(slugged)) {
    throw errors.invalidItemId(`The specified id "${id}" is not allowed.`);
  }
  return slugged;
}

/** An id made from `name`, unique among `taken` (`diary`, `diary-2`, …); null when the name has no usable character. */
export function idFromName(name: string, taken: (id: string) => boolean): string | null {
  const base = slug(name).toLowerCase().slice(0, 100);
  if (!base || RESERVED_IDS.has(base)) return null;
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}
