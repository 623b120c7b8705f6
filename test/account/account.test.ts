import { describe, expect, it } from "vitest";
import { expectError, get, post, put } from "../helpers/api";
import { accountSnapshot, insertAccess, userRow } from "../helpers/db";
import { createUser } from "../helpers/users";

describe("account.get / account.update", () => {
  it("gets the account with a personal token", async () => {
    const user = await createUser();
    const res = await get(`/${user.username}/account`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.account).toMatchObject({ username: user.username, email: user.email, language: "en" });
  });

  it("updates language and email (account fields and their events)", async () => {
    const user = await createUser();
    const email = `new-${user.email}`;
    const res = await put(`/${user.username}/account`, { language: "it", email }, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.account).toMatchObject({ email, language: "it" });
    expect((await get(`/${user.username}/account`, { token: user.token })).body.account).toMatchObject({ email, language: "it" });
    expect(await userRow(user.username)).toMatchObject({ email, language: "it" });
    const { env } = await import("cloudflare:workers");
    const event = await env.DB.prepare(
      "SELECT content FROM events e JOIN users u ON u.id = e.user_id WHERE u.username = ? AND e.id = ':system:email'",
    )
      .bind(user.username)
      .first<{ content: string }>();
    expect(JSON.parse(event!.content)).toBe(email);
    // The directory follows the change.
    expect((await get(`/reg/${encodeURIComponent(email)}/username`)).body.username).toBe(user.username);
  });

  it("refuses an email another account has (any case) and changes nothing", async () => {
    const user = await createUser();
    const other = await createUser();
    const before = await accountSnapshot(user.username);
    const res = await put(`/${user.username}/account`, { email: other.email.toUpperCase(), language: "es" }, { token: user.token });
    expect(expectError(res, 409, "item-already-exists").data).toEqual({ email: other.email.toUpperCase() });
    expect(await accountSnapshot(user.username)).toEqual(before);
  });

  it("refuses non-editable or unknown fields", async () => {
    const user = await createUser();
    for (const update of [{ username: "someone-else" }, { appId: "x-app-id" }, { storageUsed: 1 }]) {
      expectError(await put(`/${user.username}/account`, update, { token: user.token }), 400, "invalid-parameters-format");
    }
    expectError(await put(`/${user.username}/account`, { email: "not-an-email" }, { token: user.token }), 400, "invalid-parameters-format");
  });

  it("is for personal tokens only", async () => {
    const user = await createUser();
    for (const type of ["app", "shared"] as const) {
      const token = await insertAccess(user.username, type);
      expectError(await get(`/${user.username}/account`, { token }), 403, "forbidden");
      expectError(await put(`/${user.username}/account`, { language: "fr" }, { token }), 403, "forbidden");
      expectError(
        await post(`/${user.username}/account/change-password`, { oldPassword: user.password, newPassword: "abcdefgh" }, { token }),
        403,
        "forbidden",
      );
    }
    expectError(await get(`/${user.username}/account`), 401, "invalid-access-token");
    expectError(await get(`/${user.username}/account`, { token: "not-a-token" }), 403, "invalid-access-token");
  });
});
