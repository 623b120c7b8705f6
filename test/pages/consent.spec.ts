/**
 * The consent flow in a real browser: headless Chromium (Debian's, driven by
 * playwright-core) plays a third-party app, served from another origin, that
 * asks for access with the official `pryv` client (`pryv.Browser.setupAuth`
 * and its sign-in button, rendered from this server's assets), and a person
 * answers on the pages of `wrangler dev` (globalSetup). Screenshots of the
 * sign-in and consent pages go to test/artifacts/.
 */
import { createServer, type Server } from "node:http";
import { build } from "esbuild";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const BASE = inject("socketBase");
const SERVICE_INFO_URL = `${BASE}/reg/service/info`;
const ARTIFACTS = "test/artifacts";
const FLOW_TIMEOUT = 90_000;

interface AppSettings {
  requestingAppId: string;
  requestedPermissions: Record<string, unknown>[];
  languageCode?: string;
}

/** The app page's settings for the next load (one flow at a time). */
let appSettings: AppSettings = { requestingAppId: "browser-test-app", requestedPermissions: [] };
let pryvBundle = "";
let appServer: Server;
let appOrigin = "";
let browser: Browser;

/** The app: the client's browser bundle and a page with its sign-in button; states recorded in `window.__states`. */
function appFiles(path: string): { type: string; body: string } | null {
  if (path === "/pryv.js") return { type: "text/javascript", body: pryvBundle };
  if (path === "/app.js") {
    return {
      type: "text/javascript",
      body: `window.__states = [];
pryv.Browser.setupAuth({
  spanButtonID: "pryv-button",
  onStateChange: function (state) {
    window.__states.push({ status: state.status, apiEndpoint: state.apiEndpoint, username: state.username, key: state.key, poll: state.poll });
  },
  authRequest: ${JSON.stringify(appSettings)}
}, ${JSON.stringify(SERVICE_INFO_URL)});
`,
    };
  }
  if (path === "/") {
    return {
      type: "text/html; charset=utf-8",
      body: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A third-party app</title><script src="/pryv.js"></script></head>
<body><h1>Diary app</h1><span id="pryv-button"></span><script src="/app.js"></script></body></html>`,
    };
  }
  return null;
}

async function http(method: string, path: string, options: { token?: string; body?: unknown; origin?: string } = {}) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: {
      ...(options.token ? { Authorization: options.token } : {}),
      ...(options.body ? { "Content-Type": "application/json" } : {}),
      ...(options.origin ? { Origin: options.origin } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

let counter = 0;
const newUsername = () => `browser-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}${++counter}`;

async function createPerson(streams: [string, string][]) {
  const username = newUsername();
  const password = `${username}-password`;
  const res = await http("POST", "/users", {
    body: { appId: "browser-test", username, password, email: `${username}@example.com` },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const token = new URL(res.body.apiEndpoint).username;
  for (const [id, name] of streams) {
    const created = await http("POST", `/${username}/streams`, { token, body: { id, name } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const event = await http("POST", `/${username}/events`, { token, body: { streamIds: [id], type: "note/txt", content: `in ${name}` } });
    expect(event.status, JSON.stringify(event.body)).toBe(201);
  }
  return { username, password, token };
}

/** What an app token reads of a stream, from Node (the apiEndpoint carries the token as its user part). */
async function readStream(apiEndpoint: string, streamId: string) {
  const endpoint = new URL(apiEndpoint);
  const token = decodeURIComponent(endpoint.username);
  endpoint.username = "";
  const res = await fetch(`${endpoint.href}events?streams[]=${streamId}`, { headers: { Authorization: token } });
  return { status: res.status, body: (await res.json()) as any };
}

type RecordedState = { status: string; apiEndpoint?: string; username?: string; key?: string; poll?: string };

const states = (page: Page) => page.evaluate(() => (globalThis as unknown as { __states: RecordedState[] }).__states);

async function waitForState(page: Page, status: string): Promise<RecordedState> {
  await page.waitForFunction(
    (wanted) => (globalThis as unknown as { __states: { status: string }[] }).__states.some((s) => s.status === wanted),
    status,
    { timeout: 20_000 },
  );
  return (await states(page)).find((s) => s.status === status)!;
}

/** Opens the app in a fresh browser profile, clicks the official button and returns the sign-in popup. */
async function openSignIn(settings: AppSettings): Promise<{ context: BrowserContext; app: Page; popup: Page }> {
  appSettings = settings;
  const context = await browser.newContext();
  const app = await context.newPage();
  app.on("pageerror", (e) => console.log("app page error:", e.message)); // a broken client shows here
  await app.goto(`${appOrigin}/`);
  // The button's HTML (`#pryv-access-btn`) and CSS come from this server's assets; its text is the client's.
  const button = app.locator("#pryv-access-btn");
  await expect.poll(() => app.locator("#pryv-access-btn-text").textContent(), { timeout: 15_000 }).toContain("Pryv Edge");
  expect(await app.locator(`link[href="${BASE}/reg/assets/lib-js/buttonSignIn.css"]`).count()).toBe(1);
  const [popup] = await Promise.all([context.waitForEvent("page"), button.click()]);
  await popup.waitForLoadState();
  expect(new URL(popup.url()).origin).toBe(BASE);
  expect(new URL(popup.url()).pathname).toBe("/reg/auth");
  return { context, app, popup };
}

async function signIn(popup: Page, person: { username: string; password: string }) {
  await popup.getByLabel("Username").fill(person.username);
  await popup.getByLabel("Password").fill(person.password);
  await popup.getByRole("button", { name: "Sign in" }).click();
  await popup.waitForURL(/\/reg\/auth\/consent\?/);
}

beforeAll(async () => {
  const bundled = await build({
    entryPoints: ["node_modules/pryv/src/browser-index.js"],
    bundle: true,
    format: "iife",
    globalName: "pryv", // as the client's published browser bundle names it
    platform: "browser",
    write: false,
    define: { global: "window" },
    external: ["fs", "path"], // Connection's file upload from a path: Node only, never reached here
    logLevel: "silent",
  });
  pryvBundle = bundled.outputFiles[0]!.text;
  appServer = createServer((request, response) => {
    const file = appFiles(new URL(request.url ?? "/", "http://app").pathname);
    if (!file) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-store" });
    response.end(file.body);
  });
  await new Promise<void>((resolve) => appServer.listen(0, "127.0.0.1", resolve));
  const address = appServer.address();
  appOrigin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (appServer ? appServer.close(() => resolve()) : resolve()));
});

describe("consent in a real browser, with the official client", () => {
  it(
    "signs in, accepts: the app's poll receives a token that reads the granted stream and nothing else",
    async () => {
      const person = await createPerson([
        ["diary", "My diary"],
        ["health", "Health records"],
      ]);
      const { context, app, popup } = await openSignIn({
        requestingAppId: "browser-test-app",
        requestedPermissions: [{ streamId: "diary", defaultName: "Diary", level: "read" }],
      });
      await expect.poll(() => popup.title()).toContain("Sign in");
      await popup.screenshot({ path: `${ARTIFACTS}/sign-in.png`, fullPage: true });
      await signIn(popup, person);
      const permissions = popup.locator("#permissions");
      await expect.poll(() => permissions.textContent()).toContain("My diary");
      expect(await permissions.textContent()).toContain("read");
      await popup.screenshot({ path: `${ARTIFACTS}/consent.png`, fullPage: true });
      await popup.getByRole("button", { name: "Accept" }).click();

      const accepted = await waitForState(app, "ACCEPTED");
      expect(accepted.username).toBe(person.username);
      const granted = await readStream(accepted.apiEndpoint!, "diary");
      expect(granted.status).toBe(200);
      expect(granted.body.events.map((e: { content: string }) => e.content)).toEqual(["in My diary"]);
      const other = await readStream(accepted.apiEndpoint!, "health");
      expect(other.status).toBe(400); // a stream this token cannot see is unknown to it
      expect(other.body.error.id).toBe("unknown-referenced-resource");
      const everything = await readStream(accepted.apiEndpoint!, "*");
      expect(everything.body.events.map((e: { content: string }) => e.content)).toEqual(["in My diary"]);
      // The official button now shows who signed in.
      await expect.poll(() => app.locator("#pryv-access-btn-text").textContent()).toBe(person.username);
      await context.close();
    },
    FLOW_TIMEOUT,
  );

  it(
    "refuses: the request ends REFUSED and the app gets no token",
    async () => {
      const person = await createPerson([["diary", "My diary"]]);
      const { context, app, popup } = await openSignIn({
        requestingAppId: "browser-test-app",
        requestedPermissions: [{ streamId: "diary", defaultName: "Diary", level: "contribute" }],
        languageCode: "fr",
      });
      expect(await popup.locator("html").getAttribute("lang")).toBe("fr");
      await popup.getByLabel("Nom d’utilisateur").fill(person.username);
      await popup.getByLabel("Mot de passe").fill(person.password);
      await popup.getByRole("button", { name: "Se connecter" }).click();
      await popup.waitForURL(/\/reg\/auth\/consent\?/);
      await popup.getByRole("button", { name: "Refuser" }).click();
      const pending = await waitForState(app, "NEED_SIGNIN");
      // This client (3.0.x) turns the 403 REFUSED poll back into its INITIALIZED state.
      await app.waitForFunction(
        () => (globalThis as unknown as { __states: { status: string }[] }).__states.at(-1)?.status === "INITIALIZED",
        undefined,
        { timeout: 20_000 },
      );
      expect((await states(app)).some((s) => s.status === "ACCEPTED")).toBe(false);
      const polled = await fetch(pending.poll!);
      expect(polled.status).toBe(403);
      expect(await polled.json()).toMatchObject({ status: "REFUSED", reasonId: "REFUSED_BY_USER" });
      const accesses = await http("GET", `/${person.username}/accesses`, { token: person.token });
      expect(accesses.body.accesses.filter((a: { type: string }) => a.type === "app")).toEqual([]);
      await context.close();
    },
    FLOW_TIMEOUT,
  );

  it(
    "creates an account on the way, then accepts",
    async () => {
      const { context, app, popup } = await openSignIn({
        requestingAppId: "browser-test-app",
        requestedPermissions: [{ streamId: "journal", defaultName: "Journal", level: "contribute" }],
      });
      await popup.getByRole("link", { name: "Create an account" }).click();
      await popup.waitForURL(/\/reg\/auth\/register\?/);
      const username = newUsername();
      await popup.getByLabel("Username").fill(username);
      await popup.getByLabel("Email").fill(`${username}@example.com`);
      await popup.getByLabel("Password").fill("a-new-password");
      await popup.getByRole("button", { name: "Create the account" }).click();
      await popup.waitForURL(/\/reg\/auth\/consent\?/);
      await expect.poll(() => popup.locator("#permissions").textContent()).toContain("Journal (will be created)");
      await popup.getByRole("button", { name: "Accept" }).click();

      const accepted = await waitForState(app, "ACCEPTED");
      expect(accepted.username).toBe(username);
      expect((await readStream(accepted.apiEndpoint!, "journal")).status).toBe(200);
      // Another stream of the new account stays out of reach.
      const login = await http("POST", `/${username}/auth/login`, {
        origin: BASE,
        body: { username, password: "a-new-password", appId: "browser-test" },
      });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      await http("POST", `/${username}/streams`, { token: login.body.token, body: { id: "secrets", name: "Secrets" } });
      expect((await readStream(accepted.apiEndpoint!, "secrets")).status).toBe(400);
      await context.close();
    },
    FLOW_TIMEOUT,
  );

  it(
    "resets a forgotten password from the mailed link",
    async () => {
      const person = await createPerson([]);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${BASE}/reg/auth/forgot`);
      await page.getByLabel("Username").fill(person.username);
      await page.getByRole("button", { name: "Send me a link" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("If this account exists");

      const outbox = await http("GET", "/reg/dev/outbox.json");
      const mail = (outbox.body.messages as { to: string; text: string }[]).find((m) => m.to === `${person.username}@example.com`);
      expect(mail, "the reset mail is in the outbox").toBeDefined();
      const link = /(http\S+\/reg\/auth\/reset#\S+)/.exec(mail!.text)![1]!;
      await page.goto(link);
      await expect.poll(() => page.locator("#reset-username-shown").textContent()).toBe(person.username);
      expect(page.url()).not.toContain("#"); // the token left the address bar
      await page.getByLabel("New password").fill("a-brand-new-password");
      await page.getByRole("button", { name: "Change the password" }).click();
      await expect.poll(() => page.locator("main").textContent()).toContain("Your password is changed.");

      const login = await http("POST", `/${person.username}/auth/login`, {
        origin: BASE,
        body: { username: person.username, password: "a-brand-new-password", appId: "browser-test" },
      });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      await context.close();
    },
    FLOW_TIMEOUT,
  );
});
