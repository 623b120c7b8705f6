/**
 * Event types: content of a known `class/format` type is validated against its
 * JSON schema (draft 4, by a validator that needs no `eval`); unknown but
 * well-formed types are accepted as they are. The definitions come from the
 * configured EVENT_TYPES_URL (the published flat.json format), cached in KV
 * and refreshed hourly, over the built-in set, which stays the fallback when
 * the list cannot be fetched.
 */
import { Validator, type Schema } from "@cfworker/json-schema";
import type { Config } from "../config";
import type { Env } from "../env";
import { errors } from "../errors";
import { BUILT_IN_TYPES, type TypeSchema } from "./builtin-types";

/** `class/format`, lowercase letters, digits and dashes (`series:` marks high-frequency series). */
export const EVENT_TYPE_PATTERN = /^(series:)?[a-z0-9-]+\/[a-z0-9-]+$/;

const KV_PREFIX = "event-types:";
/** A fetched list is used for this long before it is fetched again. */
const REFRESH_AFTER_MS = 60 * 60 * 1000;
/** Kept in KV well past its refresh time, to bridge outages of the source. */
const KV_TTL_SECONDS = 7 * 24 * 3600;
/** An isolate re-reads KV at most this often. */
const MEMORY_TTL_MS = 5 * 60 * 1000;
const FETCH_TIMEOUT_MS = 3000;

export interface TypeList {
  source: "remote" | "built-in";
  url: string;
  version: string | null;
  fetchedAt: number | null;
  types: Record<string, TypeSchema>;
}

interface CachedList {
  version: string | null;
  fetchedAt: number;
  types: Record<string, TypeSchema>;
}

/** The published files write `"additionalProperties": "false"` in places; JSON schema wants a boolean. */
function sanitize(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(sanitize);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = value === "false" || value === "true" ? value === "true" : sanitize(value);
  }
  return out;
}

function parseList(body: unknown): CachedList | null {
  if (!body || typeof body !== "object") return null;
  const { types, version } = body as { types?: unknown; version?: unknown };
  if (!types || typeof types !== "object" || Array.isArray(types)) return null;
  return {
    version: typeof version === "string" ? version : null,
    fetchedAt: Date.now(),
    types: types as Record<string, TypeSchema>,
  };
}

async function fetchList(url: string): Promise<CachedList | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { Accept: "application/json" } });
    if (!res.ok) return null;
    return parseList(await res.json());
  } catch {
    return null; // unreachable, timed out or not JSON: the cached or built-in list serves
  }
}

async function loadList(env: Env, url: string): Promise<TypeList> {
  const key = `${KV_PREFIX}${url}`;
  const cached = await env.KV.get<CachedList>(key, "json").catch(() => null);
  let list = cached && Date.now() - cached.fetchedAt < REFRESH_AFTER_MS ? cached : null;
  if (!list) {
    const fetched = url ? await fetchList(url) : null;
    if (fetched) await env.KV.put(key, JSON.stringify(fetched), { expirationTtl: KV_TTL_SECONDS }).catch(() => undefined);
    list = fetched ?? cached;
  }
  if (!list) return { source: "built-in", url, version: null, fetchedAt: null, types: { ...BUILT_IN_TYPES } };
  return { source: "remote", url, version: list.version, fetchedAt: list.fetchedAt, types: { ...BUILT_IN_TYPES, ...list.types } };
}

export interface ContentProblem {
  path: string;
  message: string;
}

/** Validates event contents against one loaded list; validators are compiled on first use. */
export class EventTypeValidator {
  private readonly compiled = new Map<string, Validator | null>();

  constructor(readonly list: TypeList) {}

  /** The schema of `type`: exact `class/format`, else a `class/*` wildcard definition. */
  schemaOf(type: string): TypeSchema | null {
    const klass = type.split("/")[0];
    return this.list.types[type] ?? this.list.types[`${klass}/*`] ?? null;
  }

  private validatorOf(type: string): Validator | null {
    if (!this.compiled.has(type)) {
      const schema = this.schemaOf(type);
      let validator: Validator | null = null;
      if (schema) {
        try {
          validator = new Validator(sanitize(structuredClone(schema)) as Schema, "4", false);
        } catch {
          validator = null; // a definition that is not a usable schema validates nothing
        }
      }
      this.compiled.set(type, validator);
    }
    return this.compiled.get(type) ?? null;
  }

  /** Problems of `content` for `type` (empty when valid or when the type is unknown). No coercion. */
  problems(type: string, content: unknown): ContentProblem[] {
    const validator = this.validatorOf(type);
    if (!validator) return [];
    const result = validator.validate(content === undefined ? null : content);
    if (result.valid) return [];
    return result.errors
      .filter((e) => e.keyword !== "properties" && e.keyword !== "allOf")
      .map((e) => ({ path: `content${e.instanceLocation.replace(/^#/, "").replaceAll("/", ".")}`, message: e.error }));
  }

  /** Throws `invalid-parameters-format` when `content` does not fit `type`. */
  assertValid(type: string, content: unknown): void {
    const problems = this.problems(type, content);
    if (problems.length) {
      throw errors.invalidParametersFormat(
        `The event content does not match its type "${type}": ${problems[0]!.message}`,
        problems.map((p) => ({ code: "content-invalid", message: p.message, path: `#/${p.path.replaceAll(".", "/")}`, param: "content" })),
      );
    }
  }
}

let memo: { url: string; at: number; validator: EventTypeValidator } | null = null;

/** The validator for the configured list (per isolate, re-read from KV every few minutes). */
export async function eventTypes(env: Env, config: Config): Promise<EventTypeValidator> {
  const url = config.service.eventTypes;
  if (memo && memo.url === url && Date.now() - memo.at < MEMORY_TTL_MS) return memo.validator;
  const validator = new EventTypeValidator(await loadList(env, url));
  memo = { url, at: Date.now(), validator };
  return validator;
}

/** Forgets the per-isolate copy (tests, and after an operator changes the source). */
export function forgetEventTypes(): void {
  memo = null;
}
