import { describe, expect, it } from "vitest";
import { post } from "../helpers/api";
import { accessRows, userRow } from "../helpers/db";
import { registrationBody, uniqueUsername } from "../helpers/users";

describe("concurrent registrations", () => {
  it("of one username: exactly one wins, the others get 409, one account exists", async () => {
    const username = uniqueUsername("race");
    const attempts = Array.from({ length: 12 }, (_, i) =>
      post("/users", registrationBody({ username, email: `${username}-${i}@example.com` })),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    expect(await userRow(username)).not.toBeNull();
    expect(await accessRows(username)).toHaveLength(1);
  });

  it("of one email under different usernames: exactly one wins", async () => {
    const email = `${uniqueUsername("mail")}@example.com`;
    const attempts = Array.from({ length: 8 }, () => post("/users", registrationBody({ email })));
    const results = await Promise.all(attempts);
    const winners = results.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(409);
      expect(r.body.error).toMatchObject({ id: "item-already-exists", data: { email } });
    }
  });
});
