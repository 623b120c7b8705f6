/**
 * A method result whose arrays are produced lazily (events.get): HTTP
 * streams them as they come; batch calls drain them into arrays.
 */
import { ApiError } from "../errors";

/**
 * Items whose JSON text is made already (events.get's page rows): one, or a
 * run of them (a page of events, sent as one text). HTTP sends the text; a
 * drained result holds their values, plain data that crosses any boundary
 * (the account's Durable Object, a socket) as it is.
 */
export abstract class PreRendered {
  /** The items' JSON texts, joined by commas (never empty). */
  abstract readonly json: string;
  abstract values(): unknown[];
}

export class StreamedResult {
  constructor(
    /** Keys and their items, in response order (e.g. `events`, then `eventDeletions`). */
    readonly parts: readonly (readonly [key: string, items: AsyncIterable<unknown>])[],
  ) {}

  /** Reads everything into a plain object; more than `max` items in one part → `too-many-results`. */
  async drain(max: number): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const [key, items] of this.parts) {
      const list: unknown[] = [];
      for await (const item of items) {
        for (const value of item instanceof PreRendered ? item.values() : [item]) {
          if (list.length >= max) {
            throw new ApiError(
              "too-many-results",
              `Your request gave too many results (the limit is ${max}). Calling the method directly (not in a batch), narrowing the request or paging can help.`,
              { data: { limit: max } },
            );
          }
          list.push(value);
        }
      }
      out[key] = list;
    }
    return out;
  }
}
