import { describe, expect, it } from "vitest";
import { expectError, get, post, request } from "../helpers/api";
import { accessRows, userRow } from "../helpers/db";
import { createUser, registrationBody, uniqueUsername } from "../helpers/users";

describe("auth.register (POST /users)", () => {
  describe("happy", () => {
    it("creates the account and answers 201 {username, apiEndpoint} with a personal token", async () => {
      const body = registrationBody();
      const res = await post("/users", body);
      expect(res.status).toBe(201);
      expect(res.body.username).toBe(body.username);
      expect(res.body.apiEndpoint).toMatch(new RegExp(`^http://[a-z0-9]{32}@127\\.0\\.0\\.1:8787/${body.username}/$`));

      const token = /\/\/([^@]+)@/.exec(res.body.apiEndpoint)![1]!;
      const account = await get(`/${body.username}/account`, { token });
      expect(account.status).toBe(200);
      expect(account.body.account).toEqual({
        username: body.username,
        email: body.email,
        language: "en",
        storageUsed: { dbDocuments: 0, attachedFiles: 0 },
      });

      const [access] = await accessRows(body.username);
      expect(access).toMatchObject({ type: "personal", name: body.appId, token });
    });

    it("is also served at /reg/users and the legacy /reg/user (appid, languageCode, invitationtoken)", async () => {
      const a = registrationBody();
      expect((await post("/reg/users", a)).status).toBe(201);
      const b = registrationBody();
      const legacy = await post("/reg/user", {
        appid: b.appId,
        username: b.username,
        password: b.password,
        email: b.email,
        languageCode: "fr",
        invitationtoken: "enjoy",
      });
      expect(legacy.status).toBe(201);
      expect(await userRow(b.username)).toMatchObject({ language: "fr", app_id: b.appId, invitation_token: "enjoy" });
    });

    it("stores the password as a PBKDF2 hash with its parameters, never in clear", async () => {
      const user = await createUser();
      const row = await userRow(user.username);
      expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
      expect(row!.password_hash).not.toContain(user.password);
    });

    it("creates the account's system-stream events (language, email, appId, …)", async () => {
      const user = await createUser({ language: "de", referer: "test-suite" });
      const { env } = await import("cloudflare:workers");
      const { results } = await env.DB.prepare(
        "SELECT e.id, e.type, e.content, e.stream_ids FROM events e JOIN users u ON u.id = e.user_id WHERE u.username = ? ORDER BY e.id",
      )
        .bind(user.username)
        .all<{ id: string; type: string; content: string; stream_ids: string }>();
      const byId = Object.fromEntries(results.map((r) => [r.id, { type: r.type, content: JSON.parse(r.content) }]));
      expect(byId).toEqual({
        ":_system:language": { type: "language/iso-639-1", content: "de" },
        ":_system:appId": { type: "identifier/string", content: user.appId },
        ":_system:invitationToken": { type: "token/string", content: "no-token" },
        ":_system:referer": { type: "identifier/string", content: "test-suite" },
        ":_system:dbDocuments": { type: "data-quantity/b", content: 0 },
        ":_system:attachedFiles": { type: "data-quantity/b", content: 0 },
        ":system:email": { type: "email/string", content: user.email },
      });
      for (const r of results) expect(JSON.parse(r.stream_ids)).toEqual([r.id]);
    });

    it("accepts a known hosting (what the pryv client sends with hosting: 'auto')", async () => {
      expect((await post("/users", registrationBody({ hosting: "local" }))).status).toBe(201);
    });
  });

  describe("errors", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["missing username", { username: undefined }, "username-required"],
      ["uppercase username", { username: "Alice-Upper" }, "username-invalid"],
      ["too short username", { username: "abcd" }, "username-invalid"],
      ["too long username", { username: "a".repeat(61) }, "username-invalid"],
      ["username ending with a dash", { username: "alice-" }, "username-invalid"],
      ["username starting with a dash", { username: "-alice" }, "username-invalid"],
      ["username with a dot", { username: "ali.ce" }, "username-invalid"],
      ["username of the wrong type", { username: 12345 }, "username-invalid"],
      ["missing password", { password: undefined }, "password-required"],
      ["too short password", { password: "12345" }, "password-invalid"],
      ["too long password", { password: "x".repeat(101) }, "password-invalid"],
      ["missing email", { email: undefined }, "email-required"],
      ["email without @", { email: "not-an-email" }, "email-invalid"],
      ["too long email", { email: `${"a".repeat(300)}@x.io` }, "email-invalid"],
      ["missing appId", { appId: undefined }, "appid-invalid"],
      ["too short appId", { appId: "app" }, "appid-invalid"],
      ["too long language", { language: "english" }, "language-invalid"],
      ["empty referer", { referer: "" }, "referer-invalid"],
      ["invitation token not a string", { invitationToken: 42 }, "invitationToken-invalid"],
    ];
    it.each(cases)("%s → invalid-parameters-format naming the field", async (_name, overrides, code) => {
      const body: Record<string, unknown> = registrationBody();
      for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete body[key];
        else body[key] = value;
      }
      const res = await post("/users", body);
      const error = expectError(res, 400, "invalid-parameters-format");
      expect(error.data).toEqual(expect.arrayContaining([expect.objectContaining({ code })]));
      if (typeof body.username === "string") expect(await userRow(body.username)).toBeNull();
    });

    it("reports every faulty field at once", async () => {
      const res = await post("/users", { appId: "x", username: "A", password: "1", email: "nope" });
      const error = expectError(res, 400, "invalid-parameters-format");
      expect(error.data.map((d: { param: string }) => d.param).sort()).toEqual(["appId", "email", "password", "username"]);
    });

    it.each(["reg", "users", "service", "admin", "pryv-anything", "www"])("refuses the reserved username %s (409)", async (username) => {
      const res = await post("/users", registrationBody({ username: username.length >= 5 ? username : `${username}` }));
      if (username.length < 5) {
        expectError(res, 400, "invalid-parameters-format");
      } else {
        const error = expectError(res, 409, "item-already-exists");
        expect(error.data).toEqual({ username });
      }
    });

    it("refuses a taken username with item-already-exists naming it (and the email if also taken)", async () => {
      const user = await createUser();
      const sameName = await post("/users", registrationBody({ username: user.username, email: `other-${user.email}` }));
      expect(expectError(sameName, 409, "item-already-exists").data).toEqual({ username: user.username });
      const both = await post("/users", registrationBody({ username: user.username, email: user.email }));
      expect(expectError(both, 409, "item-already-exists").data).toEqual({ username: user.username, email: user.email });
    });

    it("refuses a taken email, whatever its case", async () => {
      const user = await createUser();
      const res = await post("/users", registrationBody({ email: user.email.toUpperCase() }));
      expect(expectError(res, 409, "item-already-exists").data).toEqual({ email: user.email.toUpperCase() });
    });

    it("refuses an unknown hosting", async () => {
      const res = await post("/users", registrationBody({ hosting: "mars-1" }));
      expectError(res, 400, "invalid-parameters-format");
    });

    it.each([
      ["malformed JSON", "{not json", 400, "invalid-request-structure"],
      ["an array", "[]", 400, "invalid-parameters-format"],
      ["a string", '"alice"', 400, "invalid-parameters-format"],
      ["null", "null", 400, "invalid-parameters-format"],
    ])("a body that is %s is a 4xx, never a 500", async (_name, rawBody, status, id) => {
      const res = await request("POST", "/users", { rawBody, headers: { "Content-Type": "application/json" } });
      expectError(res, status, id);
    });

    it("a failed registration leaves no trace (no user, no access, no event)", async () => {
      const username = uniqueUsername();
      await post("/users", registrationBody({ username, password: "1" }));
      expect(await userRow(username)).toBeNull();
      expect(await accessRows(username)).toEqual([]);
    });
  });
});
