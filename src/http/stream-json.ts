/**
 * Writes a StreamedResult as JSON while it is produced:
 * `{"events":[…],"eventDeletions":[…],"meta":{…}}`. The layout is compact
 * and each chunk holds whole items, which the pryv client's streaming parser
 * requires (it scans for `"events":[` and decodes chunks one by one).
 */
import type { StreamedResult } from "../methods/streamed";
import type { Meta } from "./meta";

const BATCH_ITEMS = 100;

export function streamJson(result: StreamedResult, meta: () => Meta): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  async function* chunks(): AsyncGenerator<string> {
    let prefix = "{";
    for (const [key, items] of result.parts) {
      let buffer = `${prefix}${JSON.stringify(key)}:[`;
      let first = true;
      let count = 0;
      for await (const item of items) {
        buffer += (first ? "" : ",") + JSON.stringify(item);
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
        console.error("streamed response failed:", err instanceof Error ? err.message : err);
        controller.error(err);
      }
    },
    async cancel() {
      await iterator.return(undefined);
    },
  });
}
