import { describe, expect, it } from "vitest";
import { post } from "../helpers/api";
import { pryv, routeClientToWorker, SERVICE_INFO_URL } from "../helpers/pryv-client";
import { uniqueUsername } from "../helpers/users";
import { nextStepCode, totpCode } from "../mfa/helpers";

routeClientToWorker();

describe("official pryv client: login with MFA", () => {
  it("Service.login raises MfaRequiredError; mfaChallenge and mfaVerify complete the login", async () => {
    const service = new pryv.Service(SERVICE_INFO_URL);
    const username = uniqueUsername("libjs");
    const password = `${username}-pass`;
    await service.createUser({ username, password, email: `${username}@example.com`, hosting: "auto", appId: "jslib-test" });
    const first = await service.login(username, password, "jslib-test");

    const activated = await post(`/${username}/mfa/activate`, {}, { token: first.token! });
    expect(activated.status).toBe(302);
    const { mfaToken: setupToken, secret } = activated.body;
    const confirmed = await post(`/${username}/mfa/confirm`, { code: totpCode(secret) }, { token: setupToken });
    expect(confirmed.status).toBe(200);

    const failure = await service.login(username, password, "jslib-test").then(
      () => null,
      (err: unknown) => err,
    );
    // (By name: the pool may load the package's classes twice, so `instanceof` is not telling.)
    expect(failure).toMatchObject({ name: "MfaRequiredError", status: 200 });
    const { mfaToken } = failure as InstanceType<typeof pryv.MfaRequiredError>;
    expect(mfaToken).toMatch(/^[a-z0-9]{32}$/);

    await service.mfaChallenge(username, mfaToken);
    await expect(service.mfaVerify(username, mfaToken, "000000")).rejects.toThrow();
    const connection = await service.mfaVerify(username, mfaToken, nextStepCode(secret));
    expect(connection.endpoint).toBe(`http://127.0.0.1:8787/${username}/`);
    const account = (await connection.get("account")) as any;
    expect(account.account.username).toBe(username);
  });
});
