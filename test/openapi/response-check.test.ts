/** The conformance hook's checker refuses what the document does not say (else it could not fail a test). */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/config";
import { openApiDocument } from "../../src/openapi/document";
import { ResponseChecker } from "./response-check";

const checker = new ResponseChecker(openApiDocument(getConfig(env as never)));
const meta = { apiVersion: "2.0.0", serverTime: 1, serial: "1" };
const exchange = (method: string, path: string, status: number, body: unknown) => ({
  method,
  url: `http://127.0.0.1:8787${path}`,
  status,
  contentType: "application/json; charset=utf-8",
  body: JSON.stringify(body),
});
const error = (id: string) => ({ error: { id, message: "m" }, meta });

describe("ResponseChecker", () => {
  it("accepts a documented answer", () => {
    expect(checker.check(exchange("GET", "/alice/followed-slices", 200, { followedSlices: [], meta }))).toBeNull();
    expect(checker.check(exchange("GET", "/alice/followed-slices", 403, error("forbidden")))).toBeNull();
  });

  it("refuses an undocumented status, field, error id or route", () => {
    expect(checker.check(exchange("GET", "/alice/followed-slices", 418, { meta }))).toMatch(/followedSlices\.get .*status 418 is not documented/);
    expect(checker.check(exchange("GET", "/alice/followed-slices", 200, { followedSlices: [], extra: 1, meta }))).toMatch(/does not match the documented schema/);
    expect(checker.check(exchange("GET", "/alice/followed-slices", 200, { followedSlices: [] }))).toMatch(/does not match/);
    expect(checker.check(exchange("GET", "/alice/followed-slices", 400, error("invalid-event-type")))).toMatch(/error id "invalid-event-type" is not documented for status 400/);
    expect(checker.check(exchange("PATCH", "/alice/followed-slices", 200, { meta }))).toMatch(/no documented operation/);
  });
});
