import { describe, expect, it } from "vitest";
import { expectError, get, post } from "../helpers/api";
import { createUser, login } from "../helpers/users";

describe("auth.logout", () => {
  it("ends the session: the token is refused afterwards, and a new login gets a new token", async () => {
    const user = await createUser();
    const token = (await login(user)).body.token;
    const res = await post(`/${user.username}/auth/logout`, {}, { token });
    expect(res.status).toBe(200);
    expect(expectError(await get(`/${user.username}/account`, { token }), 403, "invalid-access-token").message).toBe(
      "Access session has expired.",
    );
    expectError(await post(`/${user.username}/auth/logout`, {}, { token }), 403, "invalid-access-token");
    const again = await login(user);
    expect(again.body.token).not.toBe(token);
  });

  it("needs a token", async () => {
    const user = await createUser();
    expectError(await post(`/${user.username}/auth/logout`, {}), 401, "invalid-access-token");
  });

  it("who-am-i is a removed method (410)", async () => {
    const user = await createUser();
    expectError(await get(`/${user.username}/auth/who-am-i`), 410, "removed-method");
  });
});
