/**
 * One register in front of two cores in two regions (test/platform/global-setup.mjs), end to end
 * over HTTP: hostings, the official client's Service flow on each core, global uniqueness, the
 * register's answers naming the right core, 421 from the wrong core, email changes and
 * deletions reaching the register, and the register's internal routes kept to the cores.
 */
import pryv from "pryv";
import { describe, expect, inject, it } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    platform: { register: string; coreA: string; coreB: string; adminKey: string; registerKey: string };
  }
}

const P = inject("platform");
const CORES = { "core-a": P.coreA, "core-b": P.coreB } as const;
type CoreId = keyof typeof CORES;
const other = (core: CoreId): CoreId => (core === "core-a" ? "core-b" : "core-a");

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method,
    redirect: "manual",
    headers: { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && (res.headers.get("Content-Type") ?? "").includes("json") ? JSON.parse(text) : text };
}

/** An account created straight on `core` (POST {availableCore}users). */
async function createOn(core: CoreId, overrides: Record<string, string> = {}) {
  const username = overrides.username ?? uniqueName("plat");
  const body = { appId: "platform-tests", username, password: `${username}-pass`, email: `${username}@example.com`, ...overrides };
  const res = await call("POST", `${CORES[core]}/users`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const token = /^https?:\/\/([^@]+)@/.exec(res.body.apiEndpoint)![1]!;
  return { ...body, token };
}

describe("hostings", () => {
  it("lists both cores, each in its region, with its availableCore", async () => {
    const res = await call("GET", `${P.register}/reg/hostings`);
    expect(res.status).toBe(200);
    expect(res.body.regions.europe.zones.europe.hostings["core-a"]).toMatchObject({ available: true, availableCore: `${P.coreA}/` });
    expect(res.body.regions.america.zones.america.hostings["core-b"]).toMatchObject({ available: true, availableCore: `${P.coreB}/` });
  });
});

describe("service info on a core", () => {
  it("names the register it reports to, not itself (a core serves no /reg)", async () => {
    const res = await call("GET", `${P.coreA}/service/info`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ register: `${P.register}/reg/`, access: `${P.register}/reg/access/` });
  });
});

describe.each(Object.keys(CORES) as CoreId[])("the official client's Service flow on %s", (core) => {
  it("hostings → createUser on the core → login through the register → data, stored on that core only", async () => {
    const service = new pryv.Service(`${P.register}/reg/service/info`);
    const hosting = (await service.flatHostings()).find((h: { key: string }) => h.key === core);
    expect(hosting?.availableCore).toBe(`${CORES[core]}/`);
    const username = uniqueName("libjs");
    const password = `${username}-pass`;
    await service.createUser({ username, password, email: `${username}@example.com`, hosting: core, appId: "platform-tests" });
    // Untyped: the package's typings are narrower than what the client answers.
    const connection: any = await service.login(username, password, "platform-tests");
    expect(connection.endpoint).toBe(`${P.register}/${username}/`);
    const [stream, event]: any[] = await connection.api([
      { method: "streams.create", params: { id: "weight", name: "Weight" } },
      { method: "events.create", params: { streamIds: ["weight"], type: "mass/kg", content: 72.5 } },
    ]);
    expect(stream.stream?.id, JSON.stringify(stream)).toBe("weight");
    const read: any = await connection.get("events", { streams: ["weight"] });
    expect(read.events.map((e: { id: string }) => e.id)).toEqual([event.event.id]);

    // The data lives on the chosen core: asked directly, it answers; the other core names it.
    const direct = await call("GET", `${CORES[core]}/${username}/events?streams=weight`, undefined, { Authorization: connection.token });
    expect(direct.status).toBe(200);
    expect(direct.body.events[0].content).toBe(72.5);
    const wrong = await call("GET", `${CORES[other(core)]}/${username}/events`, undefined, { Authorization: connection.token });
    expect(wrong.status).toBe(421);
    expect(wrong.body.error).toMatchObject({ id: "wrong-core", data: { coreUrl: `${CORES[core]}/` } });
  });
});

describe("forwarding through the register", () => {
  it("streams an upload to the core and the file back, and passes the core's errors on", async () => {
    const b = await createOn("core-b");
    const auth = { Authorization: b.token };
    await call("POST", `${P.register}/${b.username}/streams`, { id: "files", name: "Files" }, auth);
    const form = new FormData();
    form.append("event", JSON.stringify({ streamIds: ["files"], type: "file/attached" }));
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    form.append("file", new Blob([bytes]), "data.bin");
    const upload = await fetch(`${P.register}/${b.username}/events`, { method: "POST", headers: auth, body: form });
    expect(upload.status).toBe(201);
    const event = ((await upload.json()) as any).event;
    const download = await fetch(`${P.register}/${b.username}/events/${event.id}/${event.attachments[0].id}`, { headers: auth });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    const refused = await call("GET", `${P.register}/${b.username}/events`, undefined, { Authorization: "not-a-token" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.id).toBe("invalid-access-token");
    expect((await call("GET", `${P.register}/no-such-user-q7/events`)).status).toBe(404);
  });
});

describe("the register names the right core", () => {
  it("{username}/server (GET 302, POST) and cores by username and by email", async () => {
    const a = await createOn("core-a");
    const b = await createOn("core-b");
    for (const [user, url] of [
      [a, P.coreA],
      [b, P.coreB],
    ] as const) {
      const redirect = await call("GET", `${P.register}/reg/${user.username}/server`);
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get("Location")).toBe(`${url}/?username=${user.username}`);
      expect((await call("POST", `${P.register}/reg/${user.username}/server`, {})).body).toMatchObject({ server: url });
      expect((await call("GET", `${P.register}/reg/cores?username=${user.username}`)).body.core).toEqual({ url: `${url}/${user.username}/` });
      expect((await call("GET", `${P.register}/reg/cores?email=${encodeURIComponent(user.email)}`)).body.core).toEqual({ url: `${url}/` });
    }
    // An unknown email still gets a core: the answer tells nothing.
    const unknown = await call("GET", `${P.register}/reg/cores?email=nobody-${Date.now()}@example.com`);
    expect(unknown.status).toBe(200);
    expect(Object.values(CORES).map((u) => `${u}/`)).toContain(unknown.body.core.url);
    expect((await call("POST", `${P.register}/reg/no-such-user-x9/server`, {})).status).toBe(404);
  });
});

describe("global uniqueness", () => {
  it("a username or email taken on one core is refused on the other (409), which keeps nothing", async () => {
    const a = await createOn("core-a");
    const sameName = await call("POST", `${P.coreB}/users`, { appId: "platform-tests", username: a.username, password: "whatever-pass", email: `x-${a.email}` });
    expect(sameName.status).toBe(409);
    expect(sameName.body.error).toMatchObject({ id: "item-already-exists", data: { username: a.username } });
    const otherName = uniqueName("plat");
    const sameEmail = await call("POST", `${P.coreB}/users`, { appId: "platform-tests", username: otherName, password: "whatever-pass", email: a.email.toUpperCase() });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.error.data).toEqual({ email: a.email.toUpperCase() });
    expect((await call("GET", `${P.register}/reg/${otherName}/check_username`)).body).toMatchObject({ reserved: false });
  });
});

describe("changes on a core reach the register", () => {
  it("an email change: the register knows the new one, frees the old, refuses one held on the other core", async () => {
    const b = await createOn("core-b");
    const a = await createOn("core-a");
    const newEmail = `new-${b.email}`;
    const auth = { Authorization: b.token };
    expect((await call("PUT", `${P.coreB}/${b.username}/account`, { email: newEmail }, auth)).status).toBe(200);
    expect((await call("GET", `${P.register}/reg/${encodeURIComponent(newEmail)}/uid`)).body).toMatchObject({ uid: b.username });
    expect((await call("GET", `${P.register}/reg/${encodeURIComponent(newEmail)}/check_email`)).status).toBe(409);
    expect((await call("GET", `${P.register}/reg/${encodeURIComponent(b.email)}/check_email`)).body).toMatchObject({ reserved: false });
    const taken = await call("PUT", `${P.coreB}/${b.username}/account`, { email: a.email }, auth);
    expect(taken.status).toBe(409);
    expect((await call("GET", `${P.coreB}/${b.username}/account`, undefined, auth)).body.account.email).toBe(newEmail);
  });

  it("a deletion frees the name at the register (on the core, or through the register)", async () => {
    const a = await createOn("core-a");
    expect((await call("DELETE", `${P.coreA}/users/${a.username}`, undefined, { Authorization: a.token })).status).toBe(200);
    expect((await call("GET", `${P.register}/reg/${a.username}/check_username`)).body).toMatchObject({ reserved: false });
    expect((await call("POST", `${P.register}/reg/${a.username}/server`, {})).status).toBe(404);

    const b = await createOn("core-b");
    const viaRegister = await call("DELETE", `${P.register}/users/${b.username}`, undefined, { Authorization: P.adminKey });
    expect(viaRegister.status, JSON.stringify(viaRegister.body)).toBe(200);
    expect((await call("GET", `${P.coreB}/${b.username}/account`, undefined, { Authorization: b.token })).status).toBe(404);
    // Free everywhere: the name can go to the other core now.
    await createOn("core-a", { username: b.username, email: b.email });
  });
});

describe("the register's admin view spans the cores", () => {
  it("servers count each core's users; users lists both", async () => {
    const a = await createOn("core-a");
    const b = await createOn("core-b");
    const admin = { Authorization: P.adminKey };
    const servers = (await call("GET", `${P.register}/reg/admin/servers`, undefined, admin)).body.servers;
    expect(servers["core-a"]).toBeGreaterThanOrEqual(1);
    expect(servers["core-b"]).toBeGreaterThanOrEqual(1);
    const users = (await call("GET", `${P.register}/reg/admin/users`, undefined, admin)).body.users;
    expect(users).toEqual(expect.arrayContaining([expect.objectContaining({ username: a.username, core: "core-a" }), expect.objectContaining({ username: b.username, core: "core-b" })]));
  });
});

describe("the register's internal directory routes", () => {
  const reserve = `${P.register}/reg/system/directory/reserve`;
  const body = { username: "intruder-name", email: "intruder@example.com", core: "core-a" };
  it("refuse a missing or wrong key, answer no CORS, check their input", async () => {
    const missing = await call("POST", reserve, body, { Origin: "https://evil.example" });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const wrong = await call("POST", reserve, body, { Authorization: `${P.registerKey}x` });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.id).toBe("forbidden");
    const bad = await call("POST", reserve, { ...body, username: "Bad Name" }, { Authorization: P.registerKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.id).toBe("invalid-parameters-format");
    expect((await call("POST", `${P.register}/reg/system/directory/nope`, {}, { Authorization: P.registerKey })).status).toBe(404);
    expect((await call("GET", `${P.register}/reg/intruder-name/check_username`)).body).toMatchObject({ reserved: false });
  });

  it("are not served by a core", async () => {
    expect((await call("POST", `${P.coreA}/reg/system/directory/reserve`, body, { Authorization: P.registerKey })).status).toBe(404);
  });

  it("a registration through the register naming an unknown hosting is 400", async () => {
    const res = await call("POST", `${P.register}/reg/users`, { appId: "platform-tests", username: uniqueName("plat"), password: "some-pass", email: "h@example.com", hosting: "nowhere" });
    expect(res.status).toBe(400);
    expect(res.body.error.data[0].code).toBe("hosting-invalid");
  });
});

/** A browser on the register's pages: cookies kept, the pages' CSRF token carried, posts from the register's origin. */
function pagesBrowser() {
  const cookies = new Map<string, string>();
  let csrf = "";
  const send = async (url: string, init: RequestInit & { headers?: Record<string, string> } = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...init.headers, Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const html = await res.text();
    csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? csrf;
    return { status: res.status, location: res.headers.get("Location"), html };
  };
  return {
    get: (url: string) => send(url),
    post: (path: string, fields: Record<string, string>) =>
      send(`${P.register}/reg/auth${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: P.register },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
      }),
  };
}

describe("the consent flow on the register, for an account on a core", () => {
  it("signs in and accepts on the register's pages; the app's token works on the account's core", async () => {
    const user = await createOn("core-b");
    const ask = await call("POST", `${P.register}/reg/access`, {
      requestingAppId: "platform-diary",
      requestedPermissions: [{ streamId: "diary", defaultName: "Diary", level: "contribute" }],
    });
    expect(ask.status, JSON.stringify(ask.body)).toBe(201);
    const browser = pagesBrowser();
    expect((await browser.get(ask.body.authUrl)).status).toBe(200);
    const signedIn = await browser.post("/signin", { key: ask.body.key, username: user.username, password: user.password });
    expect(signedIn.status).toBe(303);
    const consent = await browser.get(new URL(signedIn.location!, P.register).href);
    expect(consent.html).toContain("Diary");
    expect((await browser.post("/accept", { key: ask.body.key })).status).toBeLessThan(400);
    const polled = await call("GET", ask.body.poll);
    expect(polled.body).toMatchObject({ status: "ACCEPTED", username: user.username });
    // The access lives on core-b, where the account is; the stream was created there.
    const token = polled.body.token as string;
    const streams = await call("GET", `${P.coreB}/${user.username}/streams`, undefined, { Authorization: token });
    expect(streams.status).toBe(200);
    expect(streams.body.streams.map((s: { id: string }) => s.id)).toContain("diary");
  });
});
