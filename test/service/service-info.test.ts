import { describe, expect, it } from "vitest";
import { BASE, expectError, get } from "../helpers/api";
import { createUser } from "../helpers/users";

const expected = {
  api: `${BASE}/{username}/`,
  register: `${BASE}/reg/`,
  access: `${BASE}/reg/access/`,
  name: expect.any(String),
  home: expect.any(String),
  support: expect.any(String),
  terms: expect.any(String),
  eventTypes: expect.stringMatching(/^https?:\/\//),
  serial: expect.any(String),
  version: expect.any(String),
  assets: { definitions: `${BASE}/reg/assets/index.json` },
  // The pryv client's Service#supportsContentQueries() reads this flag.
  features: { noHF: true, contentQueries: true },
};

describe("service.info", () => {
  it("is served at /service/info, /reg/service/info and /{username}/service/info", async () => {
    const user = await createUser();
    for (const path of ["/service/info", "/reg/service/info", `/${user.username}/service/info`]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject(expected);
      expect(res.body.serial).toBe(res.body.meta.serial);
    }
  });

  it("answers 404 unknown-resource for an unknown account (clients test existence with it)", async () => {
    expectError(await get("/no-such-user-w2/service/info"), 404, "unknown-resource");
  });

  it("GET / describes the service", async () => {
    const res = await get("/");
    expect(res.body.service).toMatchObject(expected);
  });
});
