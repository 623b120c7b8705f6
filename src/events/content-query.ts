/**
 * The `content` and `clientData` parameters of events.get (the reference v2's
 * content queries): arrays of conditions `{path, <op>: value}` on dot-paths
 * into the event's field, AND-ed with each other and with every other filter.
 * Matching is strict on JSON types, as the reference: `eq: true` never matches
 * `1` nor `"true"`; a missing path never matches (but `exists: false`).
 * Query strings carry them as JSON text (like `streams`), batch calls as arrays.
 * Indexes: see docs/content-queries.md.
 */
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { jsonList } from "../db/sql";
import { ApiError, type ParamIssue } from "../errors";
import { assertAcceptableJson } from "../shared/json-input";
import { LIMITS } from "../shared/limits";

export const CONTENT_QUERY_OPERATORS = ["eq", "neq", "in", "exists", "gt", "gte", "lt", "lte", "prefix"] as const;
type Operator = (typeof CONTENT_QUERY_OPERATORS)[number];
type Scalar = string | number | boolean;
export type QueriedField = "content" | "clientData";

export interface ContentCondition {
  field: QueriedField;
  /** Path segments; null for `$`, the root value (scalar content). */
  path: string[] | null;
  op: Operator;
  value: Scalar | Scalar[];
}

export const CONTENT_QUERY_LIMITS = { conditions: 10, inValues: 100, pathSegments: 16 } as const;
/** The reference's segment grammar; it also keeps every path safe to spell as a SQL literal (no quote can occur). */
const SEGMENT = /^[a-zA-Z0-9_:-]+$/;
const OPERATORS: readonly string[] = CONTENT_QUERY_OPERATORS;

class BadCondition extends Error {}

const isScalar = (v: unknown): v is Scalar =>
  typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.length <= LIMITS.shortText * 4);

function parsePath(raw: unknown): string[] | null {
  if (typeof raw !== "string" || raw === "" || raw.length > LIMITS.shortText) throw new BadCondition('needs a "path": a dot-path (at most 256 characters) or "$".');
  if (raw === "$") return null;
  const segments = raw.split(".");
  if (segments.length > CONTENT_QUERY_LIMITS.pathSegments) throw new BadCondition(`has a path deeper than ${CONTENT_QUERY_LIMITS.pathSegments} segments.`);
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) throw new BadCondition(`has an invalid path segment "${bad}" (letters, digits, "_", ":" and "-" only).`);
  return segments;
}

function parseValue(op: Operator, v: unknown): Scalar | Scalar[] {
  switch (op) {
    case "eq":
    case "neq":
      if (!isScalar(v)) throw new BadCondition(`'${op}' takes a string, number or boolean (not null, an object or an array).`);
      return v;
    case "in":
      if (!Array.isArray(v) || v.length === 0 || v.length > CONTENT_QUERY_LIMITS.inValues) {
        throw new BadCondition(`'in' takes a non-empty array of at most ${CONTENT_QUERY_LIMITS.inValues} values.`);
      }
      if (!v.every(isScalar)) throw new BadCondition("'in' values must be strings, numbers or booleans.");
      return v;
    case "exists":
      if (typeof v !== "boolean") throw new BadCondition("'exists' takes a boolean.");
      return v;
    case "prefix":
      if (typeof v !== "string" || v === "" || v.length > LIMITS.shortText) throw new BadCondition("'prefix' takes a non-empty string.");
      return v;
    default:
      if (typeof v !== "number" || !Number.isFinite(v)) throw new BadCondition(`'${op}' takes a finite number.`);
      return v;
  }
}

function parseCondition(raw: unknown, field: QueriedField): ContentCondition {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new BadCondition('must be an object {path, <operator>: value}.');
  const keys = Object.keys(raw);
  const unknown = keys.filter((k) => k !== "path" && !OPERATORS.includes(k));
  if (unknown.length) throw new BadCondition(`has unknown properties: ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(", ")}.`);
  const ops = keys.filter((k) => OPERATORS.includes(k)) as Operator[];
  if (ops.length !== 1) throw new BadCondition(`needs exactly one operator among ${CONTENT_QUERY_OPERATORS.join(", ")}.`);
  const op = ops[0]!;
  const record = raw as Record<string, unknown>;
  return { field, path: parsePath(record.path), op, value: parseValue(op, record[op]) };
}

/** The zod param of `field`: JSON text or an array of conditions → normalised conditions. */
export function contentConditionsParam(field: QueriedField) {
  return z.unknown().transform((raw, ctx): ContentCondition[] => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message, input: undefined });
      return z.NEVER;
    };
    let value = raw;
    if (typeof raw === "string") {
      try {
        value = JSON.parse(raw);
      } catch {
        return fail("must be a JSON array of conditions (not valid JSON)");
      }
    }
    try {
      assertAcceptableJson(value);
    } catch (err) {
      // Named after this parameter (the JSON rule names positions inside it).
      const issue = err instanceof ApiError && err.id === "invalid-parameters-format" ? (err.data as ParamIssue[] | undefined)?.[0] : undefined;
      if (!issue) throw err;
      return fail(`${issue.message} (at ${issue.path})`);
    }
    if (!Array.isArray(value)) return fail("must be an array of conditions {path, <operator>: value}");
    if (value.length > CONTENT_QUERY_LIMITS.conditions) return fail(`at most ${CONTENT_QUERY_LIMITS.conditions} conditions`);
    const conditions: ContentCondition[] = [];
    for (const [index, condition] of value.entries()) {
      try {
        conditions.push(parseCondition(condition, field));
      } catch (err) {
        if (!(err instanceof BadCondition)) throw err;
        return fail(`condition #${index + 1} ${err.message}`);
      }
    }
    return conditions;
  });
}

/**
 * The JSON path as SQLite spells it, segments always quoted. Inlined (not
 * bound) because an expression index is used only when the query's
 * expression is the index's, literally; the segment grammar admits no quote.
 */
function jsonPathLiteral(path: string[] | null): SQL {
  if (path === null) return sql.raw("'$'");
  if (!path.every((s) => SEGMENT.test(s))) throw new Error("unvalidated content-query path");
  return sql.raw(`'$${path.map((s) => `."${s}"`).join("")}'`);
}

/**
 * Numeric root content as the built-in index (migration 0013) spells it:
 * the number, or NULL for any other content. Range and numeric equality on
 * `$` use exactly this expression so the index serves them.
 */
const ROOT_NUMBER = sql.raw(`iif(json_type(e.content) IN ('integer', 'real'), json_extract(e.content, '$'), NULL)`);

function conditionSql(c: ContentCondition): SQL {
  const column = sql.raw(c.field === "clientData" ? "e.client_data" : "e.content");
  const path = jsonPathLiteral(c.path);
  const value = sql`json_extract(${column}, ${path})`;
  const type = sql`json_type(${column}, ${path})`;
  const numeric = c.field === "content" && c.path === null;
  const equals = (v: Scalar): SQL => {
    if (typeof v === "boolean") return sql`${type} = ${v ? "true" : "false"}`;
    if (typeof v === "number") return numeric ? sql`${ROOT_NUMBER} = ${v}` : sql`(${type} IN ('integer', 'real') AND ${value} = ${v})`;
    return sql`(${type} = 'text' AND ${value} = ${v})`;
  };
  switch (c.op) {
    case "eq":
      return equals(c.value as Scalar);
    case "neq":
      return sql`(${type} IS NOT NULL AND NOT ${equals(c.value as Scalar)})`;
    case "in": {
      // Lists as one bound parameter each (D1 binds at most 100 per statement).
      const values = c.value as Scalar[];
      const strings = values.filter((v): v is string => typeof v === "string");
      const numbers = values.filter((v): v is number => typeof v === "number");
      const terms = [...new Set(values.filter((v) => typeof v === "boolean"))].map(equals);
      if (strings.length) terms.push(sql`(${type} = 'text' AND ${value} IN ${jsonList(strings)})`);
      if (numbers.length) {
        terms.push(numeric ? sql`${ROOT_NUMBER} IN ${jsonList(numbers)}` : sql`(${type} IN ('integer', 'real') AND ${value} IN ${jsonList(numbers)})`);
      }
      return sql`(${sql.join(terms, sql` OR `)})`;
    }
    case "exists":
      return c.value ? sql`${type} IS NOT NULL` : sql`${type} IS NULL`;
    case "prefix": {
      const pattern = `${(c.value as string).replace(/[!%_]/g, (m) => `!${m}`)}%`;
      return sql`(${type} = 'text' AND ${value} LIKE ${pattern} ESCAPE '!')`;
    }
    default: {
      const op = sql.raw({ gt: ">", gte: ">=", lt: "<", lte: "<=" }[c.op as "gt"]);
      return numeric ? sql`${ROOT_NUMBER} ${op} ${c.value}` : sql`(${type} IN ('integer', 'real') AND ${value} ${op} ${c.value})`;
    }
  }
}

const ROOT_NUMBER_INDEX = "events_root_number";
const NUMERIC_OPS: readonly Operator[] = ["eq", "in", "gt", "gte", "lt", "lte"];

/**
 * The index a query with these conditions should read: `events_root_number`
 * when one condition compares numeric root content (`$` with a number, or
 * numbers only for `in`) and the query names exact types (its second column).
 * Forced because SQLite, without statistics, prefers the time index to avoid
 * sorting, which reads the whole account; a content condition is what the
 * caller chose to be selective (docs/content-queries.md).
 */
export function preferredIndex(conditions: readonly ContentCondition[], types: readonly string[] | null | undefined): string | null {
  if (!types?.length || types.some((t) => t.endsWith("/*"))) return null;
  const indexable = conditions.some(
    (c) =>
      c.field === "content" &&
      c.path === null &&
      NUMERIC_OPS.includes(c.op) &&
      (Array.isArray(c.value) ? c.value.every((v) => typeof v === "number") : typeof c.value === "number"),
  );
  return indexable ? ROOT_NUMBER_INDEX : null;
}

/** The conditions as terms on `e` (events), to AND with the query's others. */
export function contentConditionsSql(conditions: readonly ContentCondition[]): SQL[] {
  return conditions.map(conditionSql);
}
