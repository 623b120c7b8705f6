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

const BATCH_ITEMS = 100;

/** JSON with every non-ASCII UTF-16 unit escaped (surrogate pairs stay valid as two escapes). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function streamJson(result: StreamedResult, meta: () => Meta): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  async function* chunks(): AsyncGenerator<string> {
    let prefix = "{";
    for (const [key, items] of result.parts) {
      let buffer = `${prefix}${JSON.stringify(key)}:[`;
      let first = true;
      let count = 0;
      for await (const item of items) {
        buffer += (first ? "" : ",") + asciiJson(item);
        first = false;
        if (++count % BATCH_ITEMS === 0) {
          yield buffer;
          buffer = "";
        }
      }
      yield `${buffer}]`;
      prefix = ",";
    }
    yield `${prefix}"meta":${JSON.stringify(meta())}}`;
  }
  const iterator = chunks();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
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
