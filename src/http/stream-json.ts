/**
 * Writes a StreamedResult as JSON while it is produced:
 * `{"events":[…],"eventDeletions":[…],"meta":{…}}`, compact, as the pryv
 * client's streaming parser requires (it scans for `"events":[`). That parser
 * also decodes each received chunk on its own, and the network may split a
 * chunk anywhere: the text is therefore pure ASCII (non-ASCII characters as
 * `\uXXXX` escapes, which JSON parses back to the same strings), so no split
 * can cut a character in two.
 */
import type { StreamedResult } from "../methods/streamed";
import type { Meta } from "./meta";
import { logFailure } from "../shared/log";
import type { StreamTrace } from "../shared/trace";

const BATCH_ITEMS = 100;

const NON_ASCII = /[\u007f-\uffff]/g;

/** `text` with every non-ASCII UTF-16 unit escaped (surrogate pairs stay valid as two escapes): still the same JSON. */
const toAscii = (text: string) => text.replace(NON_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** `text` as ASCII bytes: encoded as it is when it is ASCII already (one byte per unit), the common case, else escaped first. */
function asciiBytes(encoder: TextEncoder, text: string): Uint8Array {
  const bytes = encoder.encode(text);
  return bytes.length === text.length ? bytes : encoder.encode(toAscii(text));
}

/** `trace`: bench mode, the request's trace kept going through the body (src/shared/trace.ts `streamTrace`). */
export function streamJson(result: StreamedResult, meta: () => Meta, trace: StreamTrace | null = null): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  // A chunk is sent every BATCH_ITEMS items, and once at the end: a small answer is one chunk.
  async function* chunks(): AsyncGenerator<string> {
    let buffer = "{";
    for (const [index, [key, items]] of result.parts.entries()) {
      buffer += `${index ? "," : ""}${JSON.stringify(key)}:[`;
      let count = 0;
      for await (const item of items) {
        buffer += (count ? "," : "") + JSON.stringify(item);
        if (++count % BATCH_ITEMS === 0) {
          yield buffer;
          buffer = "";
        }
      }
      buffer += "]";
    }
    yield `${buffer}${result.parts.length ? "," : ""}"meta":${JSON.stringify(meta())}}`;
  }
  const iterator = chunks();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await (trace ? trace.around(() => iterator.next()) : iterator.next());
        if (done) {
          trace?.done();
          controller.close();
        } else controller.enqueue(asciiBytes(encoder, value));
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
