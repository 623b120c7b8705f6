/**
 * Invitation tokens (REGISTRATION=open, no INVITATION_TOKENS here): generation and listing by the
 * admin, the gate (open until the platform has a token, then one is required, single-use when
 * generated) and `POST /access/invitationtoken/check`. Each test file has its own D1, so the order
 * of the tests below is the platform's history: no token, then generated ones.
 * Invitation-only mode with configured tokens: test/config/gated.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { createDb } from "../../src/db/client";
import type { Env } from "../../src/env";
import { isInvitationTokenValid, registrationGate } from "../../src/register/invitations";
import { expectError, get, post, request, TEST_ADMIN_KEY } from "../helpers/api";
import { userRow } from "../helpers/db";
import { registrationBody } from "../helpers/users";

const ADMIN = { headers: { Authorization: TEST_ADMIN_KEY } };
const CHECK_PATHS = ["/reg/access/invitationtoken/check", "/access/invitationtoken/check"];

/** The check's answer on both paths, which must agree: plain text `true` or `false`. */
async function check(body: unknown): Promise<string> {
  const answers = await Promise.all(
    CHECK_PATHS.map(async (path) => {
      const res = await post(path, body);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toMatch(/^text\/plain/);
      return res.body as string;
    }),
  );
  expect(answers[0]).toBe(answers[1]);
  return answers[0]!;
}

const invitationCount = async () => (await get("/reg/admin/invitations", ADMIN)).body.invitations.length as number;

describe("the gate's rule, by configuration", () => {
  const db = () => createDb(env.DB);
  const configWith = (vars: Partial<Env>) => parseConfig({ ENVIRONMENT: "local", ...vars } as Env);

  it("open without tokens lets anyone in; configured tokens, invitation mode and closed do not", async () => {
    expect(await registrationGate(db(), configWith({}))).toBe("open");
    expect(await isInvitationTokenValid(db(), configWith({}), undefined)).toBe(true);
    const withTokens = configWith({ INVITATION_TOKENS: "enjoy,later" });
    expect(await registrationGate(db(), withTokens)).toBe("token-required");
    expect(await isInvitationTokenValid(db(), withTokens, "later")).toBe(true);
    expect(await isInvitationTokenValid(db(), withTokens, "enjoy2")).toBe(false);
    expect(await isInvitationTokenValid(db(), withTokens, undefined)).toBe(false);
    expect(await isInvitationTokenValid(db(), configWith({ REGISTRATION: "invitation" }), "anything")).toBe(false);
    const closed = configWith({ REGISTRATION: "closed", INVITATION_TOKENS: "enjoy" });
    expect(await registrationGate(db(), closed)).toBe("closed");
    expect(await isInvitationTokenValid(db(), closed, "enjoy")).toBe(false);
  });
});

describe("before any invitation token exists", () => {
  it("registration is open, with or without a token", async () => {
    expect((await post("/users", registrationBody())).status).toBe(201);
    expect((await post("/users", registrationBody({ invitationToken: "enjoy" }))).status).toBe(201);
  });

  it("the check says true to anything, on both paths", async () => {
    expect(await check({ invitationtoken: "anything" })).toBe("true");
    expect(await check({})).toBe("true");
  });
});

describe("generating invitation tokens (admin key)", () => {
  it("GET /reg/admin/invitations/post?count=3&message=… answers 200 {data: [...]}, as the reference", async () => {
    const before = Date.now();
    const res = await get("/reg/admin/invitations/post", { ...ADMIN, query: { count: 3, message: "beta testers" } });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(3);
    for (const invitation of res.body.data) {
      expect(invitation).toEqual({ id: expect.any(String), createdAt: expect.any(Number), createdBy: "admin", description: "beta testers" });
      expect(invitation.id.length).toBeGreaterThanOrEqual(25);
      expect(invitation.createdAt).toBeGreaterThanOrEqual(before - 1000); // milliseconds, as the reference
      expect(invitation.createdAt).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(new Set(res.body.data.map((i: { id: string }) => i.id)).size).toBe(3);
  });

  it("POST /reg/admin/invitations is the same method: the same 200 {data}", async () => {
    const res = await post("/reg/admin/invitations", { count: 2, description: "second wave" }, ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.data.map((i: { description: string }) => i.description)).toEqual(["second wave", "second wave"]);
    const noMessage = await get("/reg/admin/invitations/post", { ...ADMIN, query: { count: 1 } });
    expect(noMessage.body.data[0].description).toBe("");
  });

  it("GET /reg/admin/invitations lists every token, oldest first, none used yet", async () => {
    const res = await get("/reg/admin/invitations", ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.invitations).toHaveLength(6);
    for (const invitation of res.body.invitations) {
      expect(invitation).not.toHaveProperty("consumedBy");
      expect(invitation.createdBy).toBe("admin");
    }
    const times = res.body.invitations.map((i: { createdAt: number }) => i.createdAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("refuses a bad count or description, generating nothing", async () => {
    const count = await invitationCount();
    for (const query of [{}, { count: 0 }, { count: 101 }, { count: "abc" }, { count: 1.5 }, { count: -1 }] as Record<string, string | number>[]) {
      expectError(await get("/reg/admin/invitations/post", { ...ADMIN, query }), 400, "invalid-parameters-format");
    }
    expectError(await post("/reg/admin/invitations", { count: 1, description: "x".repeat(501) }, ADMIN), 400, "invalid-parameters-format");
    expectError(await post("/reg/admin/invitations", [1], ADMIN), 400, "invalid-parameters-format");
    expectError(await post("/reg/admin/invitations", undefined, { ...ADMIN, rawBody: "{count: 1", headers: { ...ADMIN.headers, "Content-Type": "application/json" } }), 400, "invalid-request-structure");
    expect(await invitationCount()).toBe(count);
  });

  it("refuses a missing (401) or wrong (403) key on every invitation route, generating nothing, without CORS", async () => {
    const count = await invitationCount();
    const wrong = { Authorization: `${TEST_ADMIN_KEY}x`, Origin: "https://evil.example" };
    for (const [method, path, body] of [
      ["GET", "/reg/admin/invitations", undefined],
      ["GET", "/reg/admin/invitations/post?count=1", undefined],
      ["POST", "/reg/admin/invitations", { count: 1 }],
    ] as const) {
      const missing = await request(method, path, { body, headers: { Origin: "https://evil.example" } });
      expectError(missing, 401, "invalid-access-token");
      expect(missing.headers.get("Access-Control-Allow-Origin")).toBeNull();
      const refused = await request(method, path, { body, headers: wrong });
      expectError(refused, 403, "forbidden");
      expect(refused.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(JSON.stringify(refused.body)).not.toContain(TEST_ADMIN_KEY);
    }
    expect(await invitationCount()).toBe(count);
  });
});

describe("once invitation tokens exist", () => {
  it("registration requires one: none or an unknown one is refused, creating nothing", async () => {
    for (const invitationToken of [undefined, "", "enjoy", "not-a-token"]) {
      const body = registrationBody({ invitationToken });
      expect(expectError(await post("/users", body), 400, "invalid-operation").message).toBe("Invalid invitation token");
      expect(await userRow(body.username)).toBeNull();
    }
  });

  it("a generated token lets one registration in, once; the listing tells who used it", async () => {
    const [invitation] = (await get("/reg/admin/invitations/post", { ...ADMIN, query: { count: 1 } })).body.data;
    expect(await check({ invitationtoken: invitation.id })).toBe("true");
    const first = registrationBody({ invitationToken: invitation.id });
    expect((await post("/users", first)).status).toBe(201);
    const second = registrationBody({ invitationToken: invitation.id });
    expectError(await post("/users", second), 400, "invalid-operation");
    expect(await userRow(second.username)).toBeNull();
    expect(await check({ invitationtoken: invitation.id })).toBe("false");
    const listed = (await get("/reg/admin/invitations", ADMIN)).body.invitations.find((i: { id: string }) => i.id === invitation.id);
    expect(listed).toMatchObject({ consumedBy: first.username, consumedAt: expect.any(Number) });
    expect(listed.consumedAt).toBeGreaterThanOrEqual(listed.createdAt);
  });

  it("the check says false to a missing, unknown or used token, true to an unused one", async () => {
    const [unused] = (await get("/reg/admin/invitations", ADMIN)).body.invitations.filter((i: { consumedBy?: string }) => !i.consumedBy);
    expect(await check({ invitationtoken: unused.id })).toBe("true");
    expect(await check({ invitationtoken: `${unused.id}x` })).toBe("false");
    expect(await check({ invitationtoken: "enjoy" })).toBe("false");
    expect(await check({})).toBe("false");
    // Checking claims nothing.
    expect((await post("/users", registrationBody({ invitationToken: unused.id }))).status).toBe(201);
  });

  it("the check refuses bad input with a Pryv error in JSON, and is open to any origin", async () => {
    for (const path of CHECK_PATHS) {
      expectError(await post(path, { invitationtoken: 42 }), 400, "invalid-parameters-format");
      expectError(await post(path, { invitationtoken: "x".repeat(300) }), 400, "invalid-parameters-format");
      expectError(await post(path, ["token"]), 400, "invalid-parameters-format");
      expectError(await post(path, undefined, { rawBody: "{nope", headers: { "Content-Type": "application/json" } }), 400, "invalid-request-structure");
      expectError(await post(path, undefined, { rawBody: "invitationtoken=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } }), 415, "unsupported-content-type");
      const preflight = await request("OPTIONS", path, { headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" } });
      expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    }
  });

  it("the access-request routes beside the check still work (POST /reg/access/{key})", async () => {
    const res = await post("/reg/access/invitationtoken", { status: "REFUSED" });
    expectError(res, 400, "unknown-access-key");
    const unknown = await request("GET", "/access/invitationtoken/check");
    expect(unknown.status).toBe(404);
  });
});
