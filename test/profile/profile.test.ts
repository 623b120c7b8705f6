import { describe, expect, it } from "vitest";
import { expectError, get, put } from "../helpers/api";
import { insertAccess } from "../helpers/db";
import { createUser } from "../helpers/users";

describe("profile sets", () => {
  it("public: personal writes, any token reads; PUT merges and null removes a key", async () => {
    const user = await createUser();
    const path = `/${user.username}/profile/public`;
    expect((await get(path, { token: user.token })).body.profile).toEqual({});
    expect((await put(path, { name: "Alice", city: "Lausanne", nested: { a: 1 } }, { token: user.token })).body.profile).toEqual({
      name: "Alice",
      city: "Lausanne",
      nested: { a: 1 },
    });
    const merged = await put(path, { city: null, nested: { b: 2 }, age: 40 }, { token: user.token });
    expect(merged.body.profile).toEqual({ name: "Alice", nested: { b: 2 }, age: 40 });
    const shared = await insertAccess(user.username, "shared");
    expect((await get(path, { token: shared })).body.profile).toEqual({ name: "Alice", nested: { b: 2 }, age: 40 });
    expectError(await put(path, { name: "Mallory" }, { token: shared }), 403, "forbidden");
  });

  it("private: personal only", async () => {
    const user = await createUser();
    const path = `/${user.username}/profile/private`;
    expect((await put(path, { secret: "x" }, { token: user.token })).body.profile).toEqual({ secret: "x" });
    expect((await get(path, { token: user.token })).body.profile).toEqual({ secret: "x" });
    for (const type of ["app", "shared"] as const) {
      const token = await insertAccess(user.username, type);
      expectError(await get(path, { token }), 403, "forbidden");
      expectError(await put(path, { secret: "y" }, { token }), 403, "forbidden");
    }
  });

  it("app: one set per app (keyed by the access name), app tokens only", async () => {
    const user = await createUser();
    const path = `/${user.username}/profile/app`;
    const appA = await insertAccess(user.username, "app", "app-a");
    const appAOtherDevice = await insertAccess(user.username, "app", "app-a", undefined, "other phone");
    const appB = await insertAccess(user.username, "app", "app-b");
    await put(path, { theme: "dark" }, { token: appA });
    expect((await get(path, { token: appAOtherDevice })).body.profile).toEqual({ theme: "dark" });
    expect((await get(path, { token: appB })).body.profile).toEqual({});
    for (const token of [user.token, await insertAccess(user.username, "shared")]) {
      expect(expectError(await get(path, { token }), 400, "invalid-operation").message).toBe(
        "This resource is only available to app accesses.",
      );
    }
  });

  it("refuses a body that is not an object", async () => {
    const user = await createUser();
    for (const body of [[1, 2], "text", 42]) {
      expectError(await put(`/${user.username}/profile/public`, body, { token: user.token }), 400, "invalid-parameters-format");
    }
  });

  it("concurrent updates lose nothing (writes are serialised by the account's Durable Object)", async () => {
    const user = await createUser();
    const path = `/${user.username}/profile/private`;
    const writes = Array.from({ length: 40 }, (_, i) => put(path, { [`key${i}`]: i }, { token: user.token }));
    for (const res of await Promise.all(writes)) expect(res.status).toBe(200);
    const profile = (await get(path, { token: user.token })).body.profile;
    expect(Object.keys(profile)).toHaveLength(40);
  });
});
