/**
 * The consent flow with the official client, unchanged: its AuthController
 * (what `pryv.Browser.setupAuth` drives in a page) creates the access request
 * and polls; the test plays the person on the auth page.
 */
import { describe, expect, it } from "vitest";
import { createAppAccess, poll, settle } from "../helpers/access-requests";
import { post } from "../helpers/api";
import { pryv, routeClientToWorker, SERVICE_INFO_URL } from "../helpers/pryv-client";
import { createUser, loginToken } from "../helpers/users";

routeClientToWorker();

const APP = "consent-e2e-app";
const PERMISSIONS = [{ streamId: "diary", level: "read", defaultName: "Diary" }];

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The client's controller, initialised and with its request started (it polls from then on). */
async function startClientFlow() {
  const service = new pryv.Service(SERVICE_INFO_URL);
  await service.info();
  const states: any[] = [];
  const controller = new (pryv.Auth as any).AuthController(
    {
      authRequest: { requestingAppId: APP, requestedPermissions: PERMISSIONS, languageCode: "fr" },
      onStateChange: (state: any) => states.push({ ...state }),
    },
    service,
  );
  await controller.init();
  await controller.startAuthRequest();
  return { controller, states };
}

describe("official pryv client: the consent flow (AuthController)", () => {
  it("creates the request, polls, and receives a token that reads the granted stream only", async () => {
    const user = await createUser();
    for (const name of ["Diary", "Private"]) {
      expect((await post(`/${user.username}/streams`, { id: name.toLowerCase(), name }, { token: user.token })).status).toBe(201);
      const event = { streamIds: [name.toLowerCase()], type: "note/txt", content: `in ${name}` };
      expect((await post(`/${user.username}/events`, event, { token: user.token })).status).toBe(201);
    }

    const { controller, states } = await startClientFlow();
    const pending = controller.state;
    expect(pending.status).toBe("NEED_SIGNIN");
    const authUrl = new URL(pending.authUrl); // the client opens it as is
    expect(authUrl.searchParams.get("key")).toBe(pending.key);
    expect(authUrl.searchParams.get("lang")).toBe("fr");

    // The person's side: the auth page reads the request, the person signs in and consents.
    const asked = await poll(authUrl.searchParams.get("key")!);
    expect(asked.body).toMatchObject({ status: "NEED_SIGNIN", requestingAppId: APP, requestedPermissions: PERMISSIONS });
    const personal = await loginToken(user);
    const access = await createAppAccess({ ...user, token: personal }, APP, asked.body.requestedPermissions);
    expect((await settle(pending.key, { status: "ACCEPTED", username: user.username, token: access.token })).status).toBe(200);

    const accepted = await until("ACCEPTED", () => states.find((s) => s.status === "ACCEPTED"));
    expect(accepted.username).toBe(user.username);
    expect(accepted.token).toBe(access.token);

    const connection = new pryv.Connection(accepted.apiEndpoint);
    const read = (await connection.get("events", {})) as any;
    expect(read.events.map((e: any) => e.content)).toEqual(["in Diary"]);
    const privateRead = (await connection.get("events", { streams: ["private"] })) as any;
    expect(privateRead.error?.id).toMatch(/forbidden|unknown-referenced-resource/);
  });

  it("goes back to its initial state when the person refuses", async () => {
    const { controller, states } = await startClientFlow();
    const key = controller.state.key as string;
    expect((await settle(key, { status: "REFUSED", reasonId: "REFUSED_BY_USER", message: "No" })).status).toBe(403);
    // lib-js turns a 403 REFUSED poll into INITIALIZED (the login button is shown again).
    await until("INITIALIZED after the refusal", () => states.slice(2).find((s) => s.status === "INITIALIZED"));
    expect(states.map((s) => s.status)).toEqual(["LOADING", "INITIALIZED", "NEED_SIGNIN", "INITIALIZED"]);
  });
});
