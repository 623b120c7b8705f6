/**
 * The document as served: well formed, one operation per binding with the
 * Pryv method id, every method with a result schema, servers from the configuration.
 */
import { describe, expect, it } from "vitest";
import { allMethods } from "../../src/methods/registry";
import { resultSchemaOf } from "../../src/openapi/document";
import { SELF } from "cloudflare:test";
import { BASE } from "../helpers/api";

/** The document has no `meta` (it is no Pryv answer): fetched without the envelope check of `request()`. */
async function fetchDocument(path: string) {
  const res = await SELF.fetch(`${BASE}${path}`);
  return { status: res.status, body: (await res.json()) as any };
}

describe("GET /openapi.json", () => {
  it("serves an OpenAPI 3.1 document naming each operation by its Pryv method id", async () => {
    for (const path of ["/openapi.json", "/reg/openapi.json"]) {
      const res = await fetchDocument(path);
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\.1\./);
      expect(res.body.servers[0].url).toBe(BASE);
      const operations = Object.values(res.body.paths as Record<string, Record<string, any>>).flatMap((item) => Object.values(item));
      const ids = operations.map((op) => op.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(["events.get", "events.create", "accesses.checkApp", "batch"]));
      const eventsGet = res.body.paths["/{username}/events"].get;
      expect(eventsGet["x-pryv-streamed"]).toBeTruthy();
      expect(eventsGet.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(["username", "streams", "types", "fromTime"]));
      expect(res.body.paths["/{username}/events"].post.requestBody.content).toHaveProperty("multipart/form-data");
      expect(eventsGet["x-pryv-permission"]).toMatch(/per stream/);
      expect(res.body.paths["/{username}/followed-slices"].get["x-pryv-permission"]).toMatch(/personal token only/);
      expect(res.body.paths["/reg/admin/users"].get.security).toEqual([{ adminKey: [] }]);
    }
  });

  it("gives every method a result schema", () => {
    const missing = allMethods().filter((method) => !resultSchemaOf(method)).map((method) => method.id);
    expect(missing, `methods without a result schema: ${missing.join(", ")}`).toEqual([]);
  });
});
