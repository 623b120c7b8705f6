/**
 * The document and the router agree both ways: every route the app serves is
 * documented (or named in `NOT_DOCUMENTED` with its reason), and every
 * documented operation, with the paths it is also served at, is a route.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { getConfig } from "../../src/config";
import { openApiDocument } from "../../src/openapi/document";
import { isNotDocumented } from "../../src/openapi/operations";

const honoPath = (template: string) => template.replace(/\{([^}]+)\}/g, ":$1");

function documented(): Set<string> {
  const doc = openApiDocument(getConfig(env as never));
  const out = new Set<string>();
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [verb, op] of Object.entries(item)) {
      for (const path of [template, ...((op["x-pryv-also-served-at"] as string[] | undefined) ?? [])]) {
        out.add(`${verb.toUpperCase()} ${honoPath(path)}`);
      }
    }
  }
  return out;
}

/** The app's handlers (not its middleware: `use` registers method ALL). */
function served(): Set<string> {
  return new Set(
    createApp()
      .routes.filter((route) => route.method !== "ALL")
      .map((route) => `${route.method} ${route.path}`),
  );
}

describe("the document covers the router", () => {
  it("documents every route the app serves, apart from the listed non-API ones", () => {
    const doc = documented();
    const missing = [...served()].filter((route) => !doc.has(route) && !isNotDocumented(route.split(" ")[1]!));
    expect(missing, `served but not documented: ${missing.join(", ")}`).toEqual([]);
  });

  it("serves every documented operation", () => {
    const routes = served();
    const unserved = [...documented()].filter((op) => !routes.has(op));
    expect(unserved, `documented but not served: ${unserved.join(", ")}`).toEqual([]);
  });

  it("lists as not documented only what the app serves", () => {
    const paths = [...served()].map((route) => route.split(" ")[1]!);
    const listed = openApiDocument(getConfig(env as never))["x-pryv-not-documented"] as { path: string }[];
    for (const { path } of listed) {
      expect(paths.some((p) => p === path || (path.endsWith("/*") && p.startsWith(path.slice(0, -1)))), `${path} is not served`).toBe(true);
    }
  });
});
