/**
 * The body of a streamed answer (events.get): one chunk is sent whole, as
 * bytes; a longer answer is a stream of chunks of about 64 kB, each pure
 * ASCII, together the same JSON.
 */
import { describe, expect, it } from "vitest";
import { jsonBody } from "../../src/http/stream-json";
import { StreamedResult } from "../../src/methods/streamed";

async function* itemsOf<T>(list: T[]): AsyncGenerator<T> {
  yield* list;
}

const meta = () => ({ apiVersion: "1.0.0", serverTime: 1, serial: "s" });

const answer = (items: object[]) => new StreamedResult([["events", itemsOf(items)], ["eventDeletions", itemsOf([])]]);

async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const texts: string[] = [];
  for await (const bytes of stream) {
    expect(bytes.every((b) => b < 128)).toBe(true);
    texts.push(new TextDecoder().decode(bytes));
  }
  return texts;
}

describe("a streamed answer's body", () => {
  it("is bytes, whole, when the answer is shorter than a chunk (150 small events)", async () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ id: `e${i}`, content: i, streamIds: ["s"], type: "count/generic" }));
    const body = await jsonBody(answer(items), meta);
    expect(body).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(new TextDecoder().decode(body as Uint8Array))).toEqual({ events: items, eventDeletions: [], meta: meta() });
  });

  it("is a stream of chunks of about 64 kB when longer, the same JSON once joined", async () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ id: `e${i}`, content: `${i} ${"x".repeat(1000)} é` }));
    const body = await jsonBody(answer(items), meta);
    expect(body).toBeInstanceOf(ReadableStream);
    const texts = await chunksOf(body as ReadableStream<Uint8Array>);
    expect(texts.length).toBeGreaterThanOrEqual(3); // 150 kB
    expect(texts.slice(0, -1).every((t) => t.length >= 64 * 1024 && t.length < 66 * 1024)).toBe(true);
    expect(JSON.parse(texts.join(""))).toEqual({ events: items, eventDeletions: [], meta: meta() });
  });
});
