/** REGISTRATION=invitation, INVITATION_TOKENS=enjoy,welcome-2026, password rules 10 chars / 3 categories. */
import { describe, expect, it } from "vitest";
import { expectError, get, post } from "../helpers/api";
import { userRow } from "../helpers/db";
import { login, registrationBody } from "../helpers/users";

/** This project's ADMIN_KEY (test/vitest.config.ts). */
const ADMIN = { headers: { Authorization: "gated-admin-key-for-tests-0123" } };
const STRONG = "Str0ng-enough";

describe("invitation-only registration", () => {
  it("accepts a configured token (reusable)", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await post("/users", registrationBody({ invitationToken: "welcome-2026", password: STRONG }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  it("refuses a missing or unknown token with invalid-operation, creating nothing", async () => {
    for (const invitationToken of [undefined, "not-a-token", "enjoy2"]) {
      const body = registrationBody({ invitationToken, password: STRONG });
      expect(expectError(await post("/users", body), 400, "invalid-operation").message).toBe("Invalid invitation token");
      expect(await userRow(body.username)).toBeNull();
    }
  });

  it("accepts an admin-generated token once only", async () => {
    const [invitation] = (await post("/reg/admin/invitations", { count: 1 }, ADMIN)).body.data;
    const first = registrationBody({ invitationToken: invitation.id, password: STRONG });
    expect((await post("/users", first)).status).toBe(201);
    expectError(await post("/users", registrationBody({ invitationToken: invitation.id, password: STRONG })), 400, "invalid-operation");
    const listed = (await get("/reg/admin/invitations", ADMIN)).body.invitations.find((i: { id: string }) => i.id === invitation.id);
    expect(listed.consumedBy).toBe(first.username);
  });

  it("gives the token back when the registration fails after claiming it", async () => {
    const [invitation] = (await post("/reg/admin/invitations", { count: 1 }, ADMIN)).body.data;
    const taken = registrationBody({ invitationToken: "enjoy", password: STRONG });
    await post("/users", taken);
    // Same username → refused before the claim; same email via another name → refused at the insert.
    const clash = await post("/users", registrationBody({ invitationToken: invitation.id, password: STRONG, email: taken.email }));
    expectError(clash, 409, "item-already-exists");
    expect((await post("/users", registrationBody({ invitationToken: invitation.id, password: STRONG }))).status).toBe(201);
  });
});

describe("password complexity rules", () => {
  it.each([
    ["too short", "Ab1-short"],
    ["too few character categories", "alllowercaseletters"],
  ])("refuses a password %s at registration", async (_name, password) => {
    const res = await post("/users", registrationBody({ invitationToken: "enjoy", password }));
    expect(expectError(res, 400, "invalid-parameters-format").message).toMatch(/complexity rules/);
  });

  it("applies to password changes too", async () => {
    const body = registrationBody({ invitationToken: "enjoy", password: STRONG });
    const created = await post("/users", body);
    const token = /\/\/([^@]+)@/.exec(created.body.apiEndpoint)![1]!;
    const res = await post(`/${body.username}/account/change-password`, { oldPassword: STRONG, newPassword: "weakweakweak" }, { token });
    expectError(res, 400, "invalid-parameters-format");
    expect((await login({ username: body.username, password: STRONG })).status).toBe(200);
  });
});

describe("LOGIN_MAX_FAILURES=2", () => {
  it("slows a client down after two failures", async () => {
    const body = registrationBody({ invitationToken: "enjoy", password: STRONG });
    await post("/users", body);
    expectError(await login({ username: body.username, password: "nope" }), 401, "invalid-credentials");
    expectError(await login({ username: body.username, password: "nope" }), 401, "invalid-credentials");
    expectError(await login({ username: body.username, password: STRONG }), 429, "too-many-requests");
  });
});

describe("event types when the configured source is unreachable", () => {
  it("falls back to the built-in definitions", async () => {
    const body = registrationBody({ invitationToken: "enjoy", password: STRONG });
    const created = await post("/users", body);
    const token = /\/\/([^@]+)@/.exec(created.body.apiEndpoint)![1]!;
    await post(`/${body.username}/streams`, { id: "weights", name: "Weights" }, { token });
    const ok = await post(`/${body.username}/events`, { streamIds: ["weights"], type: "mass/kg", content: 72.5 }, { token });
    expect(ok.status).toBe(201);
    expectError(await post(`/${body.username}/events`, { streamIds: ["weights"], type: "mass/kg", content: "80" }, { token }), 400, "invalid-parameters-format");
    // Only the unreachable list defines this type: unknown here, so accepted as is.
    expect((await post(`/${body.username}/events`, { streamIds: ["weights"], type: "remote-only/thing", content: 1 }, { token })).status).toBe(201);
  });
});

describe("upload limits (MAX_FILE_BYTES=100000, MAX_UPLOAD_BYTES=250000)", () => {
  it("refuses an oversize file or request with 413 before keeping anything", async () => {
    const { SELF } = await import("cloudflare:test");
    const { env } = await import("cloudflare:workers");
    const { accountSnapshot, userRow } = await import("../helpers/db");
    const body = registrationBody({ invitationToken: "enjoy", password: STRONG });
    const created = await post("/users", body);
    const token = /\/\/([^@]+)@/.exec(created.body.apiEndpoint)![1]!;
    await post(`/${body.username}/streams`, { id: "files", name: "Files" }, { token });
    const id = (await userRow(body.username))!.id;
    const before = await accountSnapshot(body.username);
    const send = async (sizes: number[], headers: Record<string, string> = {}) => {
      const form = new FormData();
      form.append("event", JSON.stringify({ streamIds: ["files"], type: "file/attached" }));
      sizes.forEach((size, i) => form.append("file", new Blob([new Uint8Array(size)]), `f${i}.bin`));
      const res = await SELF.fetch(`http://127.0.0.1:8787/${body.username}/events`, { method: "POST", headers: { Authorization: token, ...headers }, body: form });
      return { status: res.status, body: (await res.json()) as any };
    };
    const tooBigFile = await send([100_001]);
    expect(tooBigFile.status).toBe(413);
    expect(tooBigFile.body.error).toMatchObject({ id: "invalid-request-structure", data: { limit: 100_000, what: "file" } });
    const tooBigRequest = await send([90_000, 90_000, 90_000]);
    expect(tooBigRequest.status).toBe(413);
    expect(tooBigRequest.body.error.data).toEqual({ limit: 250_000, what: "request" });
    expect(await accountSnapshot(body.username)).toEqual(before);
    let keys: string[] = ["?"];
    for (let i = 0; i < 100 && keys.length; i++) {
      keys = (await env.FILES.list({ prefix: `${id}/` })).objects.map((o) => o.key);
      if (keys.length) await new Promise((r) => setTimeout(r, 20));
    }
    expect(keys).toEqual([]);
    expect((await send([100_000, 100_000])).status).toBe(201);
  });
});
