/**
 * zod schemas → JSON Schema (draft 2020-12, zod 4's own conversion) gathered
 * as OpenAPI `components.schemas`: each converted schema's `$defs` (recursive
 * structures, `.meta({id})` ones) are hoisted beside it and its `$ref`s
 * rewritten, since `#/$defs/…` would point at the document's root.
 */
import { z } from "zod";

export type JsonSchema = { [key: string]: unknown };

const COMPONENTS = "#/components/schemas/";

export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /** Converts `schema` into component `name`; returns the converted root (refs rewritten). */
  add(name: string, schema: z.ZodType, io: "input" | "output"): JsonSchema {
    const converted = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = converted;
    // Named definitions (`.meta({id})`) are shared across methods; anonymous ones belong to this schema.
    const defName = (def: string) =>
      /^__schema\d+$/.test(def) ? `${name}.${def}` : io === "input" ? `${def}.input` : def;
    const rewrite = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(rewrite);
      if (!node || typeof node !== "object") return node;
      const out: JsonSchema = {};
      for (const [key, value] of Object.entries(node)) {
        if (key === "$ref" && typeof value === "string") {
          out.$ref = value === "#" ? `${COMPONENTS}${name}` : value.replace(/^#\/\$defs\/(.+)$/, (_, def: string) => `${COMPONENTS}${defName(def)}`);
        } else out[key] = rewrite(value);
      }
      return out;
    };
    for (const [def, value] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
      this.schemas[defName(def)] = rewrite(value) as JsonSchema;
    }
    const rewritten = rewrite(root) as JsonSchema;
    this.schemas[name] = rewritten;
    return rewritten;
  }

  /** A schema with its top-level `$ref` (if any) replaced by what it names. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    if (typeof ref === "string" && ref.startsWith(COMPONENTS) && Object.keys(schema).length === 1) {
      const target = this.schemas[ref.slice(COMPONENTS.length)];
      if (target) return this.resolve(target);
    }
    return schema;
  }
}

export const ref = (name: string): JsonSchema => ({ $ref: `${COMPONENTS}${name}` });

export const META_SCHEMA: JsonSchema = {
  type: "object",
  description: "Present in every JSON answer.",
  properties: {
    apiVersion: { type: "string" },
    serverTime: { type: "number", description: "Seconds since the epoch (float)." },
    serial: { type: "string", description: "Changes when the service info changes." },
  },
  required: ["apiVersion", "serverTime", "serial"],
  additionalProperties: false,
};

/**
 * The body `{...result, meta}`: `meta` joins the result's own properties (the
 * result schemas are strict, so an `allOf` beside them would refuse it).
 */
export function withMeta(components: SchemaComponents, result: JsonSchema): JsonSchema {
  const resolved = components.resolve(result);
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = resolved[key];
    if (Array.isArray(branches)) {
      return { ...resolved, [key]: branches.map((branch) => withMeta(components, branch as JsonSchema)) };
    }
  }
  if (resolved.type === "object" || resolved.properties) {
    const required = Array.isArray(resolved.required) ? resolved.required : [];
    return {
      ...resolved,
      type: "object",
      properties: { ...(resolved.properties as JsonSchema | undefined), meta: ref("Meta") },
      required: [...required, "meta"],
    };
  }
  // Not an object (an unknown result): only `meta` is sure.
  return { type: "object", properties: { meta: ref("Meta") }, required: ["meta"] };
}
