import { describe, expect, it } from "vitest";
import { BASE, expectError, get, post } from "../helpers/api";
import { accessRows, run } from "../helpers/db";
import { createUser, login } from "../helpers/users";

describe("auth.login", () => {
  describe("happy", () => {
    it("answers {token, apiEndpoint, preferredLanguage} and the token works", async () => {
      const user = await createUser({ language: "fr" });
      const res = await login(user, "other-app-id");
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        token: expect.stringMatching(/^[a-z0-9]{32}$/),
        apiEndpoint: `http://${res.body.token}@127.0.0.1:8787/${user.username}/`,
        preferredLanguage: "fr",
      });
      expect((await get(`/${user.username}/account`, { token: res.body.token })).status).toBe(200);
      expect(res.headers.get("API-Version")).toBe(res.body.meta.apiVersion);
    });

    it("reuses one personal access per appId, with the same token while the session is open", async () => {
      const user = await createUser();
      const first = await login(user, "app-one-id");
      const second = await login(user, "app-one-id");
      const other = await login(user, "app-two-id");
      expect(second.body.token).toBe(first.body.token);
      expect(other.body.token).not.toBe(first.body.token);
      const personal = (await accessRows(user.username)).filter((a) => a.type === "personal");
      expect(personal.map((a) => a.name).sort()).toEqual(["app-one-id", "app-two-id", user.appId].sort());
    });

    it("takes the username case-insensitively in the body", async () => {
      const user = await createUser();
      const res = await post(
        `/${user.username}/auth/login`,
        { username: user.username.toUpperCase(), password: user.password, appId: "test-app-id" },
        { headers: { Origin: BASE } },
      );
      expect(res.status).toBe(200);
    });

    it.each([
      ["the service's own origin", { Origin: BASE }],
      ["a localhost origin on any port", { Origin: "http://localhost:5173" }],
      ["the register URL with its path (what the pryv library sends)", { Origin: `${BASE}/reg/` }],
      ["a Referer when there is no Origin", { Referer: "http://localhost:3000/some/page?x=1" }],
    ])("trusts %s", async (_name, headers) => {
      const user = await createUser();
      const res = await post(
        `/${user.username}/auth/login`,
        { username: user.username, password: user.password, appId: "test-app-id" },
        { headers },
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
  });

  describe("errors", () => {
    it.each([
      ["an untrusted origin", { Origin: "https://evil.example.com" }],
      ["no Origin nor Referer", {}],
      ["a look-alike host", { Origin: "http://127.0.0.1.evil.com" }],
    ])("refuses %s with the FAQ's invalid-credentials message", async (_name, headers) => {
      const user = await createUser();
      const res = await post(
        `/${user.username}/auth/login`,
        { username: user.username, password: user.password, appId: "test-app-id" },
        { headers },
      );
      expect(expectError(res, 401, "invalid-credentials").message).toBe(
        'The app id ("appId") is either missing or not trusted.',
      );
    });

    it("a wrong password is invalid-credentials 401", async () => {
      const user = await createUser();
      const res = await login({ username: user.username, password: "wrong-password" });
      expect(expectError(res, 401, "invalid-credentials").message).toBe("The given username/password pair is invalid.");
    });

    it("an unknown account in the path is unknown-resource 404, before anything else", async () => {
      const res = await post("/no-such-user-z9/auth/login", {});
      expect(expectError(res, 404, "unknown-resource").message).toBe('Unknown user "no-such-user-z9"');
    });

    it("a body username other than the path's is invalid-operation", async () => {
      const user = await createUser();
      const other = await createUser();
      const res = await post(
        `/${user.username}/auth/login`,
        { username: other.username, password: other.password, appId: "test-app-id" },
        { headers: { Origin: BASE } },
      );
      expectError(res, 400, "invalid-operation");
    });

    it.each([
      ["missing parameters", { username: "x" }, "invalid-operation"],
      ["parameters of the wrong type", { username: "x", password: 1, appId: "test-app-id" }, "invalid-parameters-format"],
    ])("%s → %s", async (_name, body, id) => {
      const user = await createUser();
      expectError(await post(`/${user.username}/auth/login`, body, { headers: { Origin: BASE } }), 400, id);
    });
    // Throttling of wrong passwords: login-throttle.test.ts.
  });

  describe("sessions", () => {
    it("an expired session answers 403 'Access session has expired.', and login then issues a new token", async () => {
      const user = await createUser();
      const token = (await login(user)).body.token;
      await run("UPDATE accesses SET session_expires = ? WHERE token = ?", Date.now() / 1000 - 1, token);
      const res = await get(`/${user.username}/account`, { token });
      expect(expectError(res, 403, "invalid-access-token").message).toBe("Access session has expired.");
      const again = await login(user);
      expect(again.body.token).not.toBe(token);
      expect((await get(`/${user.username}/account`, { token: again.body.token })).status).toBe(200);
    });

    it("a session is renewed when used", async () => {
      const user = await createUser();
      const token = (await login(user)).body.token;
      const soon = Date.now() / 1000 + 3600; // would expire within the hour
      await run("UPDATE accesses SET session_expires = ? WHERE token = ?", soon, token);
      expect((await get(`/${user.username}/account`, { token })).status).toBe(200);
      let renewed = 0;
      for (let i = 0; i < 50 && renewed <= soon; i++) {
        await new Promise((r) => setTimeout(r, 20));
        renewed = (await accessRows(user.username)).find((a) => a.token === token)!.session_expires;
      }
      expect(renewed).toBeGreaterThan(Date.now() / 1000 + 13 * 24 * 3600);
    });
  });
});
