/**
 * Event integrity as the reference computes it: `EVENT:0:sha256-{base64}` of
 * a stable serialisation of the event (keys sorted, null-valued properties
 * left out, no spaces), without `integrity` itself and without the
 * attachments' per-access `readToken`.
 */

// Characters the reference escapes as \uXXXX (lowercase hex), besides the short escapes.
const ESCAPED = /[\\"\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0604\u070f\u17b4\u17b5\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff0-\uffff]/g;
const SHORT: Record<string, string> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\" };

function quote(text: string): string {
  return `"${text.replace(ESCAPED, (ch) => SHORT[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

/** Deterministic JSON-like text; `null`/`undefined` properties are omitted (array items are kept). */
export function stableStringify(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item)).join(",")}]`;
  const entries = Object.keys(value as object)
    .sort()
    .filter((key) => {
      const v = (value as Record<string, unknown>)[key];
      return v !== null && v !== undefined && typeof v !== "function";
    })
    .map((key) => `${quote(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The integrity of an event (or of a deletion record `{id, deleted}`). */
export async function eventIntegrity(event: Record<string, unknown>): Promise<string> {
  const { integrity: _ignored, ...rest } = event;
  if (Array.isArray(rest.attachments)) {
    rest.attachments = rest.attachments.map((a: Record<string, unknown>) => {
      const { readToken: _token, ...kept } = a;
      return kept;
    });
  }
  if (rest.trashed === false) delete rest.trashed;
  if (rest.duration === 0) delete rest.duration;
  return `EVENT:0:sha256-${await sha256Base64(stableStringify(rest))}`;
}
