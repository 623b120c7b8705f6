/**
 * A streaming `multipart/form-data` parser: parts come one after the other,
 * each body as chunks read straight from the request, so a file is never held
 * whole in memory. A part's body must be read to its end before the next part.
 */
import { errors } from "../errors";

export interface PartHeaders {
  name: string | null;
  filename: string | null;
  contentType: string | null;
}

export interface Part {
  headers: PartHeaders;
  body: AsyncGenerator<Uint8Array>;
}

const CRLF = new Uint8Array([13, 10]);
const MAX_HEADER_BYTES = 16 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const malformed = (why: string) => errors.invalidRequestStructure(`Malformed multipart body: ${why}.`);

/** The boundary of a `multipart/form-data` content type; null when it is not one. */
export function multipartBoundary(contentType: string | null): string | null {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return null;
  const match = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first!, from); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Reads the request in chunks, keeping what has not been consumed. */
class Buffered {
  buffer: Uint8Array = new Uint8Array(0);
  private done = false;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Reads one more chunk; false at the end of the input. */
  async more(): Promise<boolean> {
    if (this.done) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.done = true;
      return false;
    }
    this.buffer = concat(this.buffer, value);
    return true;
  }

  take(n: number): Uint8Array {
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** Ensures at least `n` bytes are buffered; false if the input ends first. */
  async want(n: number): Promise<boolean> {
    while (this.buffer.length < n) if (!(await this.more())) return false;
    return true;
  }
}

function parseHeaders(text: string): PartHeaders {
  const headers: PartHeaders = { name: null, filename: null, contentType: null };
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed("a part header has no name");
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-type") headers.contentType = value;
    if (key === "content-disposition") {
      const param = (p: string) => {
        const quoted = new RegExp(`(?:^|;)\\s*${p}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(value);
        // Browsers (WHATWG FormData) escape `"`, CR and LF in quoted names as %22, %0D, %0A.
        if (quoted) return quoted[1]!.replace(/\\(.)/g, "$1").replace(/%22/g, '"').replace(/%0D/gi, "\r").replace(/%0A/gi, "\n");
        return new RegExp(`(?:^|;)\\s*${p}=([^;]*)`, "i").exec(value)?.[1]?.trim() ?? null;
      };
      const extended = /(?:^|;)\s*filename\*=UTF-8''([^;]*)/i.exec(value)?.[1];
      headers.name = param("name");
      headers.filename = extended ? safeDecode(extended) : param("filename");
    }
  }
  return headers;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The parts of `body`, in order. Malformed input throws `invalid-request-structure`. */
export async function* parseMultipart(body: ReadableStream<Uint8Array>, boundary: string): AsyncGenerator<Part> {
  const input = new Buffered(body.getReader());
  const dashBoundary = encoder.encode(`--${boundary}`);
  const delimiter = concat(CRLF, dashBoundary);

  // Preamble, then the first boundary.
  for (;;) {
    const at = indexOf(input.buffer, dashBoundary);
    if (at !== -1) {
      input.take(at + dashBoundary.length);
      break;
    }
    input.take(Math.max(0, input.buffer.length - dashBoundary.length));
    if (!(await input.more())) throw malformed("no boundary found");
  }

  for (;;) {
    if (!(await input.want(2))) throw malformed("unexpected end after a boundary");
    const after = input.take(2);
    if (after[0] === 45 && after[1] === 45) return; // "--": the closing boundary
    if (after[0] !== 13 || after[1] !== 10) throw malformed("a boundary is not followed by a line break");

    let headerEnd = indexOf(input.buffer, encoder.encode("\r\n\r\n"));
    while (headerEnd === -1) {
      if (input.buffer.length > MAX_HEADER_BYTES) throw malformed("part headers are too large");
      if (!(await input.more())) throw malformed("unexpected end in part headers");
      headerEnd = indexOf(input.buffer, encoder.encode("\r\n\r\n"));
    }
    const headers = parseHeaders(decoder.decode(input.take(headerEnd)));
    input.take(4);

    let finished = false;
    async function* partBody(): AsyncGenerator<Uint8Array> {
      for (;;) {
        const at = indexOf(input.buffer, delimiter);
        if (at !== -1) {
          if (at > 0) yield input.take(at).slice();
          input.take(delimiter.length);
          finished = true;
          return;
        }
        // Keep what could be the start of the delimiter; hand over the rest.
        const safe = input.buffer.length - (delimiter.length - 1);
        if (safe > 0) yield input.take(safe).slice();
        if (!(await input.more())) throw malformed("unexpected end in a part");
      }
    }
    const partBodyIterator = partBody();
    yield { headers, body: partBodyIterator };
    if (!finished) for await (const _chunk of partBodyIterator); // the consumer stopped early: skip the rest
  }
}
