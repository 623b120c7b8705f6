/**
 * ACCESS_REQUESTS=registered: only the apps in APPS may start access requests —
 * `diary-app` from https://diary.example.com (returnURLs under
 * https://diary.example.com/auth/), `lab-backend` with its secret (APP_SECRETS).
 */
import { describe, expect, it } from "vitest";
import { askBody, poll, storedRequests } from "../helpers/access-requests";
import { expectError, post } from "../helpers/api";

const DIARY_ORIGIN = "https://diary.example.com";
const LAB_SECRET = "lab-backend-secret-0123456789";

const ask = (overrides: Record<string, unknown>, headers: Record<string, string> = {}) => post("/reg/access", askBody(overrides), { headers });

async function expectVerified(res: Awaited<ReturnType<typeof ask>>, name: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const polled = await poll(res.body.key);
  expect(polled.body).toMatchObject({ status: "NEED_SIGNIN", verifiedApp: { name } });
}

async function expectRefused(call: () => ReturnType<typeof ask>, reason: string) {
  const before = [...(await storedRequests()).keys()];
  const error = expectError(await call(), 403, "forbidden");
  expect(error.data).toEqual({ reason });
  expect(error.message.length).toBeGreaterThan(20);
  expect([...(await storedRequests()).keys()]).toEqual(before);
  return error;
}

describe("access requests from registered apps only", () => {
  it("refuses an app that is not registered", async () => {
    const error = await expectRefused(() => ask({ requestingAppId: "someone-else" }, { Origin: DIARY_ORIGIN }), "unregistered-app");
    expect(error.message).toMatch(/someone-else.*not registered/);
  });

  it("accepts the registered app from its origin, marked verified with its registered name", async () => {
    await expectVerified(
      await ask({ requestingAppId: "diary-app", returnURL: "https://diary.example.com/auth/done?" }, { Origin: DIARY_ORIGIN }),
      "Diary by Example Health",
    );
    await expectVerified(await ask({ requestingAppId: "diary-app" }, { Origin: DIARY_ORIGIN }), "Diary by Example Health");
  });

  it("reads the origin from the Referer when there is no Origin header", async () => {
    await expectVerified(await ask({ requestingAppId: "diary-app" }, { Referer: `${DIARY_ORIGIN}/app/page?x=1` }), "Diary by Example Health");
  });

  it("refuses the registered app from another origin, or from none", async () => {
    const error = await expectRefused(() => ask({ requestingAppId: "diary-app" }, { Origin: "https://diary.example.com.evil.io" }), "origin-not-allowed");
    expect(error.message).toMatch(/evil\.io/);
    await expectRefused(() => ask({ requestingAppId: "diary-app" }, { Origin: "http://diary.example.com" }), "origin-not-allowed");
    await expectRefused(() => ask({ requestingAppId: "diary-app" }), "origin-not-allowed");
  });

  it("refuses a returnURL outside the app's registered ones", async () => {
    for (const returnURL of [
      "https://evil.example.com/auth/",
      "https://diary.example.com/other/",
      "https://diary.example.com/auth-evil/",
      "https://diary.example.com/auth/../other/",
    ]) {
      await expectRefused(() => ask({ requestingAppId: "diary-app", returnURL }, { Origin: DIARY_ORIGIN }), "returnURL-not-allowed");
    }
  });

  it("accepts the server-side app presenting its secret", async () => {
    await expectVerified(await ask({ requestingAppId: "lab-backend" }, { Authorization: LAB_SECRET }), "Example Lab");
    await expectVerified(await ask({ requestingAppId: "lab-backend" }, { Authorization: `Bearer ${LAB_SECRET}` }), "Example Lab");
  });

  it("refuses a wrong secret, no secret, a secret in the body, and a returnURL it did not register", async () => {
    await expectRefused(() => ask({ requestingAppId: "lab-backend" }, { Authorization: `${LAB_SECRET}x` }), "wrong-secret");
    await expectRefused(() => ask({ requestingAppId: "lab-backend" }, { Authorization: "short" }), "wrong-secret");
    await expectRefused(() => ask({ requestingAppId: "lab-backend" }), "origin-not-allowed");
    await expectRefused(() => ask({ requestingAppId: "lab-backend", appSecret: LAB_SECRET }), "origin-not-allowed");
    await expectRefused(
      () => ask({ requestingAppId: "lab-backend", returnURL: "https://lab.example.com/back" }, { Authorization: LAB_SECRET }),
      "returnURL-not-allowed",
    );
  });

  it("refuses a secret for an app that has none, even from its origin", async () => {
    await expectRefused(() => ask({ requestingAppId: "diary-app" }, { Origin: DIARY_ORIGIN, Authorization: LAB_SECRET }), "wrong-secret");
  });

  it("still validates the request itself first", async () => {
    expectError(await ask({ requestingAppId: "diary-app", requestedPermissions: [] }, { Origin: DIARY_ORIGIN }), 400, "invalid-parameters");
  });
});
