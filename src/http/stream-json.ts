/**
 * Writes a StreamedResult as JSON while it is produced:
 * `{"events":[…],"eventDeletions":[…],"meta":{…}}`, compact, as the pryv
 * client's streaming parser requires (it scans for `"events":[`). That parser
 * also decodes each received chunk on its own, and the network may split a
 * chunk anywhere: the text is therefore pure ASCII (non-ASCII characters as
 * `\uXXXX` escapes, which JSON parses back to the same strings), so no split
 * can cut a character in two.
 */
import { PreRendered, type StreamedResult } from "../methods/streamed";
import type { Meta } from "./meta";
import { logFailure } from "../shared/log";
import type { StreamTrace } from "../shared/trace";

/**
 * A chunk leaves once its text is this long (UTF-16 units). By length, not by
 * item count: most answers (some 200 small events or fewer) are one chunk,
 * sent whole with no stream to run — 100 items a chunk streamed the bench's
 * 121-event time range — and a chunk of big events stays this small.
 */
const CHUNK_CHARS = 64 * 1024;

const NON_ASCII = /[\u007f-\uffff]/g;

/** `text` with every non-ASCII UTF-16 unit escaped (surrogate pairs stay valid as two escapes): still the same JSON. */
const toAscii = (text: string) => text.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** `text` as ASCII bytes: encoded as it is when it is ASCII already (one byte per unit), the common case, else escaped first. */
function asciiBytes(encoder: TextEncoder, text: string): Uint8Array<ArrayBuffer> {
  // (encode always allocates a plain ArrayBuffer; the runtime's types say ArrayBufferLike.)
  const encode = (t: string) => encoder.encode(t) as Uint8Array<ArrayBuffer>;
  const bytes = encode(text);
  return bytes.length === text.length ? bytes : encode(toAscii(text));
}

/**
 * The body of `result`: its bytes when the whole answer is one chunk (most
 * answers: no stream to run, and the runtime sends a length; encoded once
 * here, which also tells whether it is ASCII — a regular expression over the
 * text cost more than the encoding), else a stream whose first chunk is the
 * one read here. `trace`: bench mode, the request's trace kept going through
 * the body (src/shared/trace.ts `streamTrace`).
 */
export async function jsonBody(result: StreamedResult, meta: () => Meta, trace: StreamTrace | null = null): Promise<Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>> {
  const iterator = chunks(result, meta);
  const next = () => (trace ? trace.around(() => iterator.next()) : iterator.next());
  const encoder = new TextEncoder();
  const first = await next();
  if (first.done || first.value.last) {
    trace?.done();
    return asciiBytes(encoder, first.done ? "" : first.value.text);
  }
  let pending: IteratorResult<Chunk> | null = first;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = pending ?? (await next());
        pending = null;
        if (done) {
          trace?.done();
          controller.close();
        } else controller.enqueue(asciiBytes(encoder, value.text));
      } catch (err) {
        // Headers are gone already: end the body unfinished so no client takes it for complete.
        logFailure("streamed response", err);
        controller.error(err);
      }
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
}

interface Chunk {
  text: string;
  /** The answer's end (its `meta`). */
  last: boolean;
}

/** The answer's text: a chunk once CHUNK_CHARS long, and one at the end (a small answer is that one chunk). */
async function* chunks(result: StreamedResult, meta: () => Meta): AsyncGenerator<Chunk> {
  let buffer = "{";
  for (const [index, [key, items]] of result.parts.entries()) {
    buffer += `${index ? "," : ""}${JSON.stringify(key)}:[`;
    let first = true;
    for await (const item of items) {
      buffer += (first ? "" : ",") + (item instanceof PreRendered ? item.json : JSON.stringify(item));
      first = false;
      if (buffer.length >= CHUNK_CHARS) {
        yield { text: buffer, last: false };
        buffer = "";
      }
    }
    buffer += "]";
  }
  yield { text: `${buffer}${result.parts.length ? "," : ""}"meta":${JSON.stringify(meta())}}`, last: true };
}
