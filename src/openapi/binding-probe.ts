/**
 * How a route assembles its method's params, read from the route itself: its
 * `build` is called once with marked inputs, and where each mark lands says
 * which path segment fills which param, whether the query is passed on, and
 * where the JSON body goes. No second description of the bindings to keep true.
 */
import type { ApiOperation } from "./operations";

export interface Binding {
  /** Path parameter name → the params property it fills. */
  pathTo: Record<string, string>;
  /** Params the route sets itself (e.g. the profile's `id`). */
  fixed: Set<string>;
  /** The query string's parameters become params. */
  query: boolean;
  /** Query parameters read one by one: params property → query name. */
  queryNamed: Record<string, string>;
  /** Where the JSON body goes: `""` the whole params, a property name, or nowhere (null). */
  body: string | null;
}

const QUERY_MARK = "\u0000query";
const pathMark = (name: string) => `\u0000path:${name}`;

export function probeBinding(op: Pick<ApiOperation, "verb" | "path" | "build">): Binding {
  const hasBody = op.verb === "post" || op.verb === "put";
  if (!op.build) return { pathTo: {}, fixed: new Set(), query: !hasBody, queryNamed: {}, body: hasBody ? "" : null };
  const bodyMark = { [QUERY_MARK]: "body" };
  const pathNames = [...op.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const built = op.build({
    body: bodyMark,
    query: new Proxy({ [QUERY_MARK]: "query" } as Record<string, string>, {
      get: (target, key) => (typeof key === "string" && !(key in target) ? `\u0000query:${key}` : Reflect.get(target, key)),
    }),
    path: Object.fromEntries(pathNames.map((name) => [name, pathMark(name)])),
  }) as Record<string, unknown>;
  if (built === bodyMark) return { pathTo: {}, fixed: new Set(), query: false, queryNamed: {}, body: "" };
  const binding: Binding = { pathTo: {}, fixed: new Set(), query: false, queryNamed: {}, body: null };
  for (const [key, value] of Object.entries(built ?? {})) {
    if (key === QUERY_MARK) binding.query = true;
    else if (value === bodyMark) binding.body = key;
    else if (typeof value === "string" && value.startsWith("\u0000path:")) binding.pathTo[value.slice(6)] = key;
    else if (typeof value === "string" && value.startsWith("\u0000query:")) binding.queryNamed[key] = value.slice(7);
    else if (value !== undefined) binding.fixed.add(key);
  }
  return binding;
}
