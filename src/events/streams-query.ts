/**
 * The `streams` parameter of events.get: stream ids, or the reference's
 * logical query `{any: [...], all: [...], not: [...]}` (an array of queries
 * is an OR). Each id stands for the stream and its descendants; `id!` for
 * the stream alone; `*` for every stream.
 */
import { errors } from "../errors";
import { parseJsonInput } from "../shared/json-input";

export interface StreamRef {
  id: string;
  /** `id!`: this stream only, not its descendants. */
  exact: boolean;
}

export interface StreamsQuery {
  /** null: every stream (`*`). */
  any: StreamRef[] | null;
  all: StreamRef[];
  not: StreamRef[];
}

const FORBIDDEN = /["\0\b\t\n\r\x1a'`]/;

function invalid(reason: string, raw: unknown): never {
  throw errors.invalidRequestStructure(`Invalid "streams" parameter: ${reason}`, { streams: raw });
}

function refs(list: unknown, key: string, raw: unknown): StreamRef[] {
  if (!Array.isArray(list)) invalid(`'${key}' must be an array of stream ids.`, raw);
  return list.map((item) => {
    if (typeof item !== "string" || item === "") invalid(`'${key}' must contain stream ids (non-empty strings).`, raw);
    const bad = FORBIDDEN.exec(item);
    if (bad) invalid(`forbidden character '${bad[0]}' in stream id "${item}".`, raw);
    return item.endsWith("!") && item.length > 1 ? { id: item.slice(0, -1), exact: true } : { id: item, exact: false };
  });
}

function parseQuery(query: unknown, raw: unknown): StreamsQuery {
  if (!query || typeof query !== "object" || Array.isArray(query)) return invalid("a query must be an object.", raw);
  const unknownKey = Object.keys(query).find((key) => !["any", "all", "not"].includes(key));
  if (unknownKey) invalid(`unknown property '${unknownKey}' (expected any, all, not).`, raw);
  const { any, all, not } = query as Record<string, unknown>;
  if (any === undefined) invalid("each query must contain at least one of 'any' property.", raw);
  const anyRefs = refs(any, "any", raw);
  if (!anyRefs.length) invalid("'any' must not be empty.", raw);
  const allRefs = all === undefined ? [] : refs(all, "all", raw);
  const notRefs = not === undefined ? [] : refs(not, "not", raw);
  if ([...allRefs, ...notRefs].some((r) => r.id === "*")) invalid("only 'any' can contain '*'.", raw);
  const star = anyRefs.some((r) => r.id === "*");
  if (star && anyRefs.length > 1) invalid("'*' cannot be mixed with other stream ids in 'any'.", raw);
  if (star && allRefs.length) invalid("{any: ['*']} cannot be mixed with 'all'.", raw);
  return { any: star ? null : anyRefs, all: allRefs, not: notRefs };
}

/** Normalises every accepted form; undefined means every stream. */
export function parseStreamsQuery(raw: unknown): StreamsQuery[] {
  if (raw === undefined || raw === null) return [{ any: null, all: [], not: [] }];
  let value: unknown = raw;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.startsWith("[") || text.startsWith("{")) {
      try {
        value = parseJsonInput(text);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        invalid(`not valid JSON (${err.message}).`, raw);
      }
    } else {
      value = [value];
    }
  }
  if (Array.isArray(value)) {
    if (!value.length) invalid("it must not be empty.", raw);
    const strings = value.filter((v) => typeof v === "string");
    if (strings.length === value.length) return [parseQuery({ any: value }, raw)];
    if (strings.length) invalid("stream ids and queries cannot be mixed.", raw);
    return value.map((q) => parseQuery(q, raw));
  }
  if (typeof value === "object") return [parseQuery(value, raw)];
  return invalid("expected stream ids or a {any, all, not} query.", raw);
}

/** Every stream id the queries name (not `*`). */
export function namedStreams(queries: StreamsQuery[]): StreamRef[] {
  return queries.flatMap((q) => [...(q.any ?? []), ...q.all, ...q.not]);
}
