/**
 * The OpenAPI 3.1 document, generated from the method registry (params,
 * result schemas, permissions) and the route list (src/openapi/operations.ts):
 * one source of truth with the code that validates and answers. Built once
 * per configuration (servers depend on it), i.e. once per isolate.
 */
import { z } from "zod";
import type { Config } from "../config";
import { API_VERSION } from "../http/meta";
import { findMethod } from "../methods/registry";
import type { MethodDefinition } from "../methods/method";
import { META_SCHEMA, ref, SchemaComponents, withMeta, type JsonSchema } from "./json-schema";
import { operationErrors } from "./operation-errors";
import { apiOperations, NOT_DOCUMENTED, type ApiOperation, type Success } from "./operations";
import { permissionInWords, securityOf } from "./permissions";
import { probeBinding } from "./binding-probe";
import { batchRequestSchema, batchResultItemSchema, multipartEventSchema } from "./special-bodies";

export type OpenApiDocument = JsonSchema & { paths: Record<string, Record<string, JsonSchema>> };

/** The method's result schema (required by the type; a test checks it at run time too). */
export const resultSchemaOf = (method: MethodDefinition): z.ZodType | undefined => method.result;

/** Methods answering with a status of their own choosing (`WithStatus`), beyond their default. */
const RESULT_STATUSES: Record<string, readonly number[]> = {
  "accessRequests.poll": [200, 201, 301, 403],
  "accessRequests.update": [200, 201, 301, 403],
};

/** Methods whose JSON is streamed as it is read (chunked), rather than built whole. */
const STREAMED = new Set(["events.get", "admin.listUsers", "admin.serverUsers"]);

const STATUS_WORDS: Record<number, string> = {
  200: "Success", 201: "Created", 204: "No content", 206: "Partial content", 301: "Moved (redirect)", 302: "Found (redirect)",
  304: "Not modified", 101: "Switching protocols", 400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
  409: "Conflict", 410: "Gone", 413: "Too large", 415: "Unsupported media type", 416: "Range not satisfiable", 421: "Misdirected (wrong core)",
  422: "Unprocessable", 426: "Upgrade required", 429: "Too many requests", 500: "Internal failure (logged)", 503: "Unavailable",
};

const MEDIA: Record<Exclude<Success["media"], "none">, string> = {
  json: "application/json",
  text: "text/plain",
  html: "text/html",
  binary: "*/*", // a file, served with the type it was stored with
};

/** `/:username/events/:id` → `/{username}/events/{id}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

function errorBodySchema(ids: Iterable<string>): JsonSchema {
  return {
    type: "object",
    properties: {
      error: {
        type: "object",
        properties: {
          id: { type: "string", enum: [...ids].sort() },
          message: { type: "string" },
          data: { description: "Details (e.g. one `{code, message, path, param}` per faulty parameter)." },
        },
        required: ["id", "message"],
        additionalProperties: false,
      },
      meta: ref("Meta"),
    },
    required: ["error", "meta"],
    additionalProperties: false,
  };
}

class DocumentBuilder {
  readonly components = new SchemaComponents();
  private readonly converted = new Map<string, JsonSchema>();

  constructor() {
    this.components.schemas.Meta = META_SCHEMA;
  }

  /** The method's params (`io: input`) or result (`io: output`) as converted JSON Schema, once each. */
  schemaOf(method: MethodDefinition, part: "params" | "result"): JsonSchema {
    const name = `${method.id}.${part}`;
    let schema = this.converted.get(name);
    if (!schema) {
      const zod = part === "params" ? method.params : (resultSchemaOf(method) ?? z.unknown());
      schema = this.components.add(name, zod, part === "params" ? "input" : "output");
      this.converted.set(name, schema);
    }
    return schema;
  }

  operation(op: ApiOperation, operationId: string): JsonSchema {
    const method = op.methodId ? findMethod(op.methodId) : undefined;
    if (op.methodId && !method) throw new Error(`route ${op.verb} ${op.path}: unknown method ${op.methodId}`);
    const out: JsonSchema = { operationId, tags: [op.tag ?? op.methodId?.split(".")[0] ?? "service"] };
    if (method) {
      out.summary = op.summary ?? method.id;
      out["x-pryv-method"] = method.id;
      out["x-pryv-permission"] = permissionInWords(method.permission);
      out.security = securityOf(method.permission);
    } else {
      if (op.summary) out.summary = op.summary;
      out.security = op.path.startsWith("/:username") ? securityOf({ kind: "access", types: ["personal", "app", "shared"] }) : [];
    }
    const description = [op.description, method && `**Permission:** ${permissionInWords(method.permission)}`]
      .filter(Boolean)
      .join("\n\n");
    if (description) out.description = description;
    if (op.alsoAt?.length) out["x-pryv-also-served-at"] = op.alsoAt.map(openApiPath);
    if (method && STREAMED.has(method.id) && op.verb === "get") {
      out["x-pryv-streamed"] = "The JSON body is streamed (chunked) as it is read: the same document, sent before it is complete.";
    }
    Object.assign(out, op.extensions);

    const { parameters, requestBody } = this.inputs(op, method);
    if (parameters.length) out.parameters = parameters;
    if (requestBody) out.requestBody = requestBody;
    out.responses = this.responses(op, method);
    return out;
  }

  private inputs(op: ApiOperation, method: MethodDefinition | undefined) {
    const pathNames = [...op.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    const params = method ? this.components.resolve(this.schemaOf(method, "params")) : {};
    const properties = (params.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set(Array.isArray(params.required) ? (params.required as string[]) : []);
    const binding = op.input === "none" || !method ? { pathTo: {}, fixed: new Set<string>(), query: false, queryNamed: {}, body: null } : probeBinding(op);
    const parameters: JsonSchema[] = pathNames.map((name) => {
      const prop = binding.pathTo[name];
      return { name, in: "path", required: true, schema: (prop && properties[prop]) ?? { type: "string" } };
    });
    const bound = new Set([...Object.values(binding.pathTo), ...binding.fixed]);
    const fromQuery: [string, JsonSchema][] = binding.query
      ? Object.entries(properties).filter(([name]) => !bound.has(name))
      : Object.entries(binding.queryNamed).map(([prop, name]) => [name, properties[prop] ?? {}]);
    {
      for (const [name, schema] of fromQuery) {
        const isArray = schema.type === "array" || JSON.stringify(schema).includes('"type":"array"');
        parameters.push({
          name,
          in: "query",
          required: binding.query && required.has(name),
          schema,
          ...(isArray ? { style: "form", explode: true } : {}),
          ...(typeof schema.description === "string" ? { description: schema.description } : {}),
        });
      }
    }
    for (const [name, schema] of Object.entries(op.extraQuery ?? {})) {
      if (parameters.some((p) => p.name === name && p.in === "query")) continue; // the method takes it already
      const { description, ...rest } = schema;
      parameters.push({ name, in: "query", required: false, schema: rest, ...(description ? { description } : {}) });
    }
    let requestBody: JsonSchema | undefined;
    if (op.methodId === null && op.extensions?.["x-pryv-batch"]) {
      requestBody = { required: true, content: { "application/json": { schema: batchRequestSchema() } } };
    } else if (op.input === "multipart") {
      requestBody = { required: true, content: { "multipart/form-data": multipartEventSchema(op.methodId === "events.create") } };
    } else if (binding.body !== null && method) {
      const schema = binding.body === "" ? ref(`${method.id}.params`) : (properties[binding.body] ?? {});
      requestBody = {
        required: binding.body === "" ? required.size > 0 : required.has(binding.body),
        content: { "application/json": { schema } },
      };
      if (op.extensions?.["x-pryv-multipart"]) {
        (requestBody.content as JsonSchema)["multipart/form-data"] = multipartEventSchema(true);
      }
    }
    return { parameters, requestBody };
  }

  private responses(op: ApiOperation, method: MethodDefinition | undefined): JsonSchema {
    const responses: JsonSchema = {};
    let successes: Success[];
    if (op.success) successes = op.success;
    else if (op.extensions?.["x-pryv-batch"]) {
      successes = [{ status: 200, description: "One entry per call, in order.", media: "json", schema: { type: "object", properties: { results: { type: "array", items: batchResultItemSchema(this) } }, required: ["results"], additionalProperties: false } }];
    } else {
      const statuses = RESULT_STATUSES[method?.id ?? ""] ?? [method?.status ?? 200];
      successes = statuses.map((status) => ({ status, description: STATUS_WORDS[status] ?? "Success", media: "json", schema: "result" }));
    }
    for (const success of [...successes, ...(op.extraSuccess ?? [])]) {
      const entry: JsonSchema = { description: success.description };
      if (success.media !== "none") {
        const schema = success.schema === "result" && method
          ? withMeta(this.components, this.schemaOf(method, "result"))
          : success.media === "json" && success.schema && success.schema !== "result"
            ? success.schema.type === "object" && !success.schema.properties ? success.schema : withMeta(this.components, success.schema)
            : (success.schema as JsonSchema | undefined) ?? { type: "string", ...(success.media === "binary" ? { contentMediaType: "application/octet-stream" } : {}) };
        entry.content = { [MEDIA[success.media]]: { schema } };
      }
      const same = responses[String(success.status)] as JsonSchema | undefined;
      if (same?.content && entry.content) {
        same.content = { ...(same.content as JsonSchema), ...(entry.content as JsonSchema) };
        continue;
      }
      if (success.headers) {
        entry.headers = Object.fromEntries(Object.entries(success.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]));
      }
      responses[String(success.status)] = entry;
    }
    for (const [status, ids] of operationErrors({ verb: op.verb, method: method ?? null, extra: op.extraErrors })) {
      const key = String(status);
      const errorEntry = { "application/json": { schema: errorBodySchema(ids) } };
      const existing = responses[key] as JsonSchema | undefined;
      if (existing) {
        // A status both a success and an error answer with (e.g. 403 REFUSED and `forbidden`).
        const content = (existing.content ?? {}) as Record<string, { schema: JsonSchema }>;
        const prior = content["application/json"];
        content["application/json"] = { schema: prior ? { anyOf: [prior.schema, errorEntry["application/json"].schema] } : errorEntry["application/json"].schema };
        existing.content = content;
      } else responses[key] = { description: `${STATUS_WORDS[status] ?? "Error"}: ${[...ids].sort().join(", ")}`, content: errorEntry };
    }
    return responses;
  }
}

function serversOf(config: Config): JsonSchema[] {
  return [{ url: config.publicUrl, description: "This service (DNS-less paths: accounts under `/{username}/`, the register under `/reg/`)." }];
}

function buildDocument(config: Config): OpenApiDocument {
  const builder = new DocumentBuilder();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const seenIds = new Map<string, number>();
  for (const op of apiOperations()) {
    const base = op.methodId ?? operationName(op);
    const count = seenIds.get(base) ?? 0;
    seenIds.set(base, count + 1);
    // operationId is the Pryv method id; a method bound at several paths gets its path after `@` from the second on.
    const operationId = count === 0 ? base : `${base}@${op.verb} ${openApiPath(op.path)}`;
    const key = openApiPath(op.path);
    paths[key] ??= {};
    paths[key]![op.verb] = builder.operation(op, operationId);
  }
  const doc: OpenApiDocument = {
    openapi: "3.1.1",
    info: {
      title: `${config.service.name} API`,
      version: API_VERSION,
      description:
        "A Pryv.io-compatible personal-data API. Generated from the method registry: every operation's parameters, results and errors are the schemas the code validates and answers with. " +
        "Each operation's `operationId` (and `x-pryv-method`) is the Pryv method id, usable in batch calls and over sockets. " +
        "Errors are `{error: {id, message, data?}, meta}`; every JSON answer carries `meta`. " +
        (config.domain
          ? `Subdomain mode: an account is also served at \`https://{username}.${config.domain}/…\` (the paths below without \`/{username}\`), the register at \`https://reg.${config.domain}/…\` (without \`/reg\`).`
          : ""),
    },
    servers: serversOf(config),
    paths,
    components: {
      schemas: builder.components.schemas,
      securitySchemes: {
        token: { type: "apiKey", in: "header", name: "Authorization", description: "An access token: raw, `Bearer {token}`, or HTTP Basic with the token as user name." },
        tokenQuery: { type: "apiKey", in: "query", name: "auth", description: "An access token in the `auth` query parameter." },
        adminKey: { type: "apiKey", in: "header", name: "Authorization", description: "The operator's ADMIN_KEY." },
      },
    },
    "x-pryv-not-documented": NOT_DOCUMENTED,
  };
  if (config.domain) {
    doc["x-pryv-subdomain-servers"] = { account: `https://{username}.${config.domain}/`, register: `https://reg.${config.domain}/` };
  }
  return doc;
}

function operationName(op: ApiOperation): string {
  if (op.extensions?.["x-pryv-batch"]) return "batch";
  if (op.path.endsWith("openapi.json")) return "openapi";
  return `${op.tag ?? "route"}.${op.verb}${openApiPath(op.path).replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+/g, "_")}`;
}

const built = new WeakMap<Config, OpenApiDocument>();

/** The document for this configuration, built on first use. */
export function openApiDocument(config: Config): OpenApiDocument {
  let doc = built.get(config);
  if (!doc) {
    doc = buildDocument(config);
    built.set(config, doc);
  }
  return doc;
}
