import { describe, expect, it } from "vitest";
import { expectError, post, request } from "../helpers/api";
import { accountSnapshot, insertAccess } from "../helpers/db";
import { createStream } from "../helpers/data";
import { createUser } from "../helpers/users";

describe("batch calls (POST /{username}/)", () => {
  it("runs calls in order with one result or error each, reads seeing earlier writes", async () => {
    const user = await createUser();
    const res = await post(
      `/${user.username}/`,
      [
        { method: "streams.create", params: { id: "s", name: "S" } },
        { method: "events.create", params: { streamIds: ["s"], type: "note/txt", content: "one" } },
        { method: "events.create", params: { streamIds: ["nope"], type: "note/txt", content: "two" } },
        { method: "events.get", params: { streams: ["s"] } },
        { method: "no.such.method", params: {} },
        { method: "auth.register", params: {} },
        { method: "account.get" },
        { method: "events.get", params: { streams: { any: ["s"], not: ["x"] } } },
      ],
      { token: user.token },
    );
    expect(res.status).toBe(200);
    const r = res.body.results;
    expect(r).toHaveLength(8);
    expect(r[0].stream.id).toBe("s");
    expect(r[1].event.content).toBe("one");
    expect(r[2].error.id).toBe("unknown-referenced-resource");
    expect(r[3].events.map((e: { content: string }) => e.content)).toEqual(["one"]);
    expect(r[4].error.id).toBe("invalid-method");
    expect(r[5].error.id).toBe("invalid-method");
    expect(r[6].account.username).toBe(user.username);
    // A query object as is (not stringified); ids in `not` need not exist, as in the reference.
    expect(r[7].events.map((e: { content: string }) => e.content)).toEqual(["one"]);
    for (const item of r) expect(item).not.toHaveProperty("meta");
  });

  it("answers an empty batch with an empty list (the pryv client sends one)", async () => {
    const user = await createUser();
    const res = await post(`/${user.username}`, [], { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([]);
  });

  it("refuses the whole batch for a bad token, a bad shape, too many calls", async () => {
    const user = await createUser();
    const before = await accountSnapshot(user.username);
    const calls = [{ method: "streams.create", params: { name: "X" } }];
    expectError(await post(`/${user.username}/`, calls), 401, "invalid-access-token");
    expectError(await post(`/${user.username}/`, calls, { token: "nope" }), 403, "invalid-access-token");
    expectError(await post("/no-such-user-b1/", calls, { token: user.token }), 404, "unknown-resource");
    for (const body of [{ method: "x" }, [{ params: {} }], [1, 2], "calls"]) {
      expectError(await post(`/${user.username}/`, body, { token: user.token }), 400, "invalid-parameters-format");
    }
    expectError(await request("POST", `/${user.username}/`, { token: user.token, rawBody: "[{", headers: { "Content-Type": "application/json" } }), 400, "invalid-request-structure");
    const tooMany = Array.from({ length: 1001 }, () => ({ method: "account.get" }));
    expectError(await post(`/${user.username}/`, tooMany, { token: user.token }), 400, "invalid-parameters-format");
    expect(await accountSnapshot(user.username)).toEqual(before);
  });

  it("checks each call's permission with the batch's access", async () => {
    const user = await createUser();
    await createStream(user, { id: "s", name: "S" });
    const shared = await insertAccess(user.username, "shared");
    const res = await post(`/${user.username}/`, [{ method: "account.get" }, { method: "profile.getPublic" }], { token: shared });
    expect(res.body.results[0].error.id).toBe("forbidden");
    expect(res.body.results[1].profile).toEqual({});
  });
});
