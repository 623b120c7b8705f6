/** Bodies that are not one method's params or result: batch calls and multipart uploads. */
import { allMethods } from "../methods/registry";
import { ref, type JsonSchema } from "./json-schema";

const batchable = () => allMethods().filter((m) => m.scope === "account" && !m.httpOnly);

export function batchRequestSchema(): JsonSchema {
  return {
    type: "array",
    maxItems: 1000,
    items: {
      type: "object",
      properties: {
        method: { type: "string", enum: batchable().map((m) => m.id), description: "A method id (an operationId of this document)." },
        params: { description: "The method's params, as its own operation takes them (path and query parameters as properties)." },
      },
      required: ["method"],
    },
  };
}

/** One entry of a batch's `results`: a batchable method's result (as documented, without `meta`) or `{error}`. */
export function batchResultItemSchema(builder: { schemaOf(method: ReturnType<typeof allMethods>[number], part: "result"): JsonSchema }): JsonSchema {
  const results = batchable().map((method) => {
    builder.schemaOf(method, "result");
    return ref(`${method.id}.result`);
  });
  const error: JsonSchema = {
    type: "object",
    properties: {
      error: {
        type: "object",
        properties: { id: { type: "string" }, message: { type: "string" }, data: {} },
        required: ["id", "message"],
        additionalProperties: false,
      },
    },
    required: ["error"],
    additionalProperties: false,
  };
  return { anyOf: [error, ...results] };
}

/** An upload: the event's JSON in one part (for creations), then one part per file. */
export function multipartEventSchema(withEvent: boolean): JsonSchema {
  return {
    schema: {
      type: "object",
      properties: {
        ...(withEvent
          ? { event: { type: "string", contentMediaType: "application/json", description: "The event (events.create params) as JSON." } }
          : {}),
        file: { type: "string", contentMediaType: "application/octet-stream", description: "One or more file parts (any field name), each with a file name." },
      },
      ...(withEvent ? { required: ["event"] } : {}),
    },
    encoding: { ...(withEvent ? { event: { contentType: "application/json" } } : {}), file: { contentType: "*/*" } },
  };
}
