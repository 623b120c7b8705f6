/** ROLE=register, REGISTRATION=closed, ENVIRONMENT=production with ADMIN_KEY left at the development default. */
import { describe, expect, it } from "vitest";
import { expectError, get, post } from "../helpers/api";
import { registrationBody } from "../helpers/users";

describe("a register-only node with registration closed", () => {
  it("refuses registrations", async () => {
    const res = await post("/users", registrationBody());
    expect(expectError(res, 400, "invalid-operation").message).toMatch(/closed/);
  });

  it("serves the register, not account routes", async () => {
    expect((await get("/reg/hostings")).status).toBe(200);
    expectError(await get("/someone/account"), 404, "unknown-resource");
  });

  it("refuses the development admin key outside local mode", async () => {
    const res = await get("/reg/admin/users", { headers: { Authorization: "dev-admin-key" } });
    expect(expectError(res, 503, "api-unavailable").message).toMatch(/ADMIN_KEY/);
  });
});
