/**
 * Under Node (the `notifications` project's real `wrangler dev`): the served
 * document validates against the OpenAPI 3.1 schema with a maintained
 * validator (Ajv-based, which workerd cannot run: no code generation there),
 * and the /docs page loads its viewer from this origin only.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, inject, it } from "vitest";

const BASE = inject("socketBase");

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document, at both paths", async () => {
    for (const path of ["/openapi.json", "/reg/openapi.json"]) {
      const doc = (await (await fetch(`${BASE}${path}`)).json()) as { servers: { url: string }[] };
      const validator = new Validator();
      const result = await validator.validate(doc);
      expect(validator.version).toBe("3.1");
      expect(result.errors ?? [], JSON.stringify(result.errors?.slice?.(0, 5))).toEqual([]);
      expect(result.valid).toBe(true);
      expect(doc.servers[0]?.url).toBe(BASE);
    }
  });

  it("has a reference page served with everything it needs from this origin", async () => {
    for (const prefix of ["", "/reg"]) {
      const page = await fetch(`${BASE}${prefix}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
      const html = await page.text();
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(3);
      for (const asset of assets) {
        expect(asset, "no asset from another host").not.toMatch(/^(https?:)?\/\//);
        const res = await fetch(new URL(asset, `${BASE}${prefix}/docs`));
        expect(res.status, asset).toBe(200);
      }
    }
  });
});
