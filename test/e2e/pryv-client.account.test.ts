import { describe, expect, it } from "vitest";
import { pryv, routeClientToWorker, SERVICE_INFO_URL } from "../helpers/pryv-client";
import { uniqueUsername } from "../helpers/users";

routeClientToWorker();

describe("official pryv client: service, registration, login, account", () => {
  it("reads the service info and the hostings", async () => {
    const service = new pryv.Service(SERVICE_INFO_URL);
    const info = await service.info();
    expect(info.api).toBe("http://127.0.0.1:8787/{username}/");
    expect(info.register).toBe("http://127.0.0.1:8787/reg/");
    const hostings = await service.flatHostings();
    expect(hostings.some((h: { available: boolean }) => h.available)).toBe(true);
  });

  it("creates a user, finds it, logs in and reads the account through a Connection", async () => {
    const service = new pryv.Service(SERVICE_INFO_URL);
    const username = uniqueUsername("libjs");
    const password = `${username}PASS!1`;
    const email = `${username}@example.com`;
    const created = await service.createUser({ username, password, email, hosting: "auto", appId: "jslib-test" });
    expect(created.username).toBe(username);
    expect(await service.userExists(username)).toBe(true);
    expect(await service.userExists("no-xxxxxxxxxxxx")).toBe(false);
    expect(await service.userIdForEmail(email)).toBe(username);

    const connection = await service.login(username, password, "jslib-test");
    expect(connection.endpoint).toBe(`http://127.0.0.1:8787/${username}/`);
    const account = (await connection.get("account")) as any;
    expect(account.account).toMatchObject({ username, email, storageUsed: { dbDocuments: 0, attachedFiles: 0 } });
    expect(Math.abs(connection.deltaTime)).toBeLessThan(2);
    const info = await connection.service.info();
    expect(info.name).toBeTruthy();
  });

  it("surfaces the reference's error messages", async () => {
    const service = new pryv.Service(SERVICE_INFO_URL);
    const username = uniqueUsername("libjs");
    await service.createUser({ username, password: "good-password", email: `${username}@example.com`, hosting: "auto", appId: "jslib-test" });
    await expect(service.login(username, "bad-password", "jslib-test")).rejects.toThrow(
      "The given username/password pair is invalid.",
    );
    await expect(service.login("no-such-user-e2", "whatever", "jslib-test")).rejects.toThrow(/Unknown user/);
    await expect(
      service.createUser({ username, password: "good-password", email: `${username}@example.com`, hosting: "auto", appId: "jslib-test" }),
    ).rejects.toThrow();
  });
});
