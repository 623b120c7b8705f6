/** Error messages read as English and say nothing false ("deviceName "null""). */
import { describe, expect, it } from "vitest";
import { expectError, get, post } from "../helpers/api";
import { createStream } from "../helpers/data";
import { createUser } from "../helpers/users";

describe("error messages", () => {
  it("a duplicate access: 'An access', and no absent deviceName", async () => {
    const user = await createUser();
    await createStream(user, { id: "s1", name: "S1" });
    const body = { name: "twice", permissions: [{ streamId: "s1", level: "read" }] };
    expect((await post(`/${user.username}/accesses`, body, { token: user.token })).status).toBe(201);
    const error = expectError(await post(`/${user.username}/accesses`, body, { token: user.token }), 409, "item-already-exists");
    expect(error.message).toBe('An access with type "shared" and name "twice" already exists');
    expect(error.message).not.toMatch(/null|A access/);
  });

  it("reading another access's trail: a spelled-out refusal", async () => {
    const user = await createUser();
    await createStream(user, { id: "s1", name: "S1" });
    const app = await post(`/${user.username}/accesses`, { name: "app", type: "app", permissions: [{ streamId: "s1", level: "read" }] }, { token: user.token });
    const error = expectError(
      await get(`/${user.username}/events`, { token: app.body.access.token, query: { streams: ":_audit:action-events.get" } }),
      403,
      "forbidden",
    );
    expect(error.message).toBe("Insufficient permission to get the events of stream [:_audit:action-events.get].");
  });
});
