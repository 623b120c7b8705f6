/**
 * The web pages over HTTP (`SELF.fetch`): their security headers, CSRF, the
 * sign-in and its throttle, languages, the consent page's words, accept and
 * refuse (what access is given, how the request settles), registering on the
 * way, the password reset, and the service assets. The same flows in a real
 * browser with the official client: consent.spec.ts.
 */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { readAccessRequest, writeAccessRequest } from "../../src/consent/access-requests.store";
import { describe, expect, it } from "vitest";
import { BASE, get, post, TEST_ADMIN_KEY, TRUSTED_ORIGIN } from "../helpers/api";
import { createUser, loginToken, uniqueUsername, type TestUser } from "../helpers/users";
import { nextStepCode, userWithMfa } from "../mfa/helpers";
import { AUTH, createAccessRequest, location, ownPermissions, PageBrowser, pollRequest, textOf } from "./page-browser";

async function userWithDiary(): Promise<TestUser> {
  const user = await createUser();
  for (const [id, name] of [
    ["diary", "My diary"],
    ["private-notes", "Private notes"],
  ]) {
    const res = await post(`/${user.username}/streams`, { id, name }, { token: user.token });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  return user;
}

const DIARY_READ = [{ streamId: "diary", defaultName: "Diary", level: "read" }];

/** Opens the sign-in page of a new request and signs in; returns the consent page. */
async function signedInOnConsent(browser: PageBrowser, user: TestUser, ask: Record<string, unknown> = {}) {
  const request = await createAccessRequest({ requestedPermissions: DIARY_READ, ...ask });
  const signIn = await browser.get(request.authUrl);
  expect(signIn.status, signIn.html).toBe(200);
  const signedIn = await browser.post("/signin", { key: request.key, username: user.username, password: user.password });
  expect(location(signedIn)).toBe(`${AUTH}/consent?key=${request.key}&lang=en`);
  const consent = await browser.get(location(signedIn));
  expect(consent.status, consent.html).toBe(200);
  return { request, consent };
}

describe("page security", () => {
  it("serves pages with a CSP without inline script, no framing, no caching", async () => {
    const request = await createAccessRequest({ requestedPermissions: DIARY_READ });
    const res = await new PageBrowser().get(request.authUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Referrer-Policy")).toBe("same-origin");
    // No inline script or style for the CSP to allow.
    expect(res.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.html).not.toMatch(/\sstyle="/);
    expect(res.html).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(res.html).toContain('name="viewport"');
  });

  it("answers an unknown, malformed or expired key with an error page (404)", async () => {
    for (const key of ["0123456789abcdefghijklmnopqrstuv", "not-a-key", ""]) {
      const res = await new PageBrowser().get(`?key=${key}`);
      expect(res.status).toBe(404);
      expect(textOf(res.html)).toContain("This sign-in link is unknown or has expired");
    }
  });

  it("refuses a form without the CSRF token, with a wrong one, or from another origin (403, nothing done)", async () => {
    const user = await userWithDiary();
    const request = await createAccessRequest({ requestedPermissions: DIARY_READ });
    const browser = new PageBrowser();
    await browser.get(request.authUrl);
    const credentials = { key: request.key, username: user.username, password: user.password };
    const attempts = [
      browser.post("/signin", credentials, { csrf: null }),
      browser.post("/signin", credentials, { csrf: "0".repeat(32) }),
      browser.post("/signin", credentials, { origin: "https://evil.example" }),
      browser.post("/signin", credentials, { origin: null }), // no Origin, no Sec-Fetch-Site
      browser.post("/refuse", { key: request.key }, { origin: "https://evil.example" }),
      browser.post("/refuse", { key: request.key }, { origin: null, headers: { "Sec-Fetch-Site": "cross-site" } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(textOf(res.html)).toContain("This form has expired or did not come from this page");
    }
    expect(browser.session()).toBeNull(); // no sign-in happened
    expect((await pollRequest(request.key)).body.status).toBe("NEED_SIGNIN");
    // Another browser's token does not fit this browser's cookie.
    const other = new PageBrowser();
    await other.get(request.authUrl);
    const foreignToken = /name="csrf" value="([^"]+)"/.exec((await other.get(request.authUrl)).html)![1]!;
    expect((await browser.post("/refuse", { key: request.key }, { csrf: foreignToken })).status).toBe(403);
    expect((await pollRequest(request.key)).body.status).toBe("NEED_SIGNIN");
    // Without Origin, a same-origin fetch metadata header is enough.
    const refused = await browser.post("/refuse", { key: request.key }, { origin: null, headers: { "Sec-Fetch-Site": "same-origin" } });
    expect(refused.status).toBe(200);
    expect((await pollRequest(request.key)).body.status).toBe("REFUSED");
  });

  it("says a wrong password in words, then the client is throttled as auth.login throttles it", async () => {
    const user = await createUser();
    const request = await createAccessRequest({ requestedPermissions: DIARY_READ });
    const browser = new PageBrowser();
    await browser.get(request.authUrl);
    for (let i = 0; i < 5; i++) {
      const res = await browser.post("/signin", { key: request.key, username: user.username, password: "wrong-password" });
      expect(res.status).toBe(401);
      expect(textOf(res.html)).toContain("Wrong username or password.");
      expect(res.html).not.toContain("wrong-password"); // the password is never echoed
    }
    const throttled = await browser.post("/signin", { key: request.key, username: user.username, password: user.password });
    expect(throttled.status).toBe(429);
    expect(textOf(throttled.html)).toMatch(/Too many failed attempts\. Try again in \d+ minute/);
    expect(browser.session()).toBeNull();
    // The same throttle as the API's: this address is slowed down there too.
    const api = await post(
      `/${user.username}/auth/login`,
      { username: user.username, password: user.password, appId: "test-app-id" },
      { headers: { Origin: TRUSTED_ORIGIN, "CF-Connecting-IP": browser.ip } },
    );
    expect(api.status).toBe(429);
  });

  it("never puts the personal token in a URL or a page", async () => {
    const user = await userWithDiary();
    const browser = new PageBrowser();
    const { consent } = await signedInOnConsent(browser, user);
    const token = browser.session()!.token!;
    expect(token).toMatch(/^[0-9a-z]{32}$/);
    expect(consent.html).not.toContain(token);
    expect(consent.headers.get("Location")).toBeNull();
  });
});

describe("languages", () => {
  it("shows the page in French for languageCode fr", async () => {
    const request = await createAccessRequest({ requestedPermissions: DIARY_READ, languageCode: "fr" });
    const res = await new PageBrowser().get(request.authUrl);
    expect(res.html).toContain('<html lang="fr">');
    expect(textOf(res.html)).toContain("Se connecter");
    expect(textOf(res.html)).toContain("Mot de passe");
  });

  it("follows the browser's Accept-Language when the app names no language", async () => {
    const request = await createAccessRequest({ requestedPermissions: DIARY_READ });
    const res = await new PageBrowser({ "Accept-Language": "de-CH, fr;q=0.8, en;q=0.5" }).get(request.authUrl);
    expect(res.html).toContain('<html lang="fr">');
    const english = await new PageBrowser({ "Accept-Language": "de" }).get(request.authUrl);
    expect(english.html).toContain('<html lang="en">');
    expect(textOf(english.html)).toContain("Sign in");
  });

  it("answers an unknown key in the browser's language", async () => {
    const res = await new PageBrowser({ "Accept-Language": "fr-CH" }).get("?key=nope");
    expect(res.status).toBe(404);
    expect(textOf(res.html)).toContain("Ce lien de connexion est inconnu ou a expiré");
  });
});

describe("consent", () => {
  it("names the streams as in the account, the new ones by their defaultName, levels and expiry in words", async () => {
    const user = await userWithDiary();
    const { consent } = await signedInOnConsent(new PageBrowser(), user, {
      requestedPermissions: [
        { streamId: "diary", defaultName: "Ignored name", level: "read" },
        { streamId: "private-notes", level: "manage" },
        { streamId: "fresh", defaultName: "Fresh notes", level: "contribute" },
        { streamId: "inbox", defaultName: "Inbox", level: "create-only" },
        { feature: "selfRevoke", setting: "forbidden" },
      ],
      expireAfter: 3 * 86400,
      deviceName: "Alice's phone",
    });
    const text = textOf(consent.html);
    expect(text).toContain("pages-test-app");
    expect(text).toContain("Not verified");
    expect(text).toContain("My diary : read");
    expect(text).not.toContain("Ignored name");
    expect(text).toContain("Private notes : manage");
    expect(text).toContain("Fresh notes (will be created) : contribute");
    expect(text).toContain("Inbox (will be created) : create only");
    expect(text).toContain("The app cannot revoke its own access.");
    expect(text).toContain("This access ends after 3 day(s).");
    expect(text).toContain("On device: Alice's phone");
  });

  it("marks a registered app verified with its registered name; the id alone is not trusted", async () => {
    const user = await userWithDiary();
    const request = await createAccessRequest({ requestingAppId: "diary-app", requestedPermissions: DIARY_READ });
    // As /reg/access records a request whose app satisfied its registration (config-registered-apps covers when).
    const stored = (await readAccessRequest(env, request.key))!;
    await writeAccessRequest(env, { ...stored, verifiedApp: { name: "Diary by Example Health" } });
    const browser = new PageBrowser();
    const signIn = textOf((await browser.get(request.authUrl)).html);
    expect(signIn).toContain("Diary by Example Health Verified app");
    expect(signIn).not.toContain("Not verified");
    const signedIn = await browser.post("/signin", { key: request.key, username: user.username, password: user.password });
    const consent = textOf((await browser.get(location(signedIn))).html);
    expect(consent).toContain("Diary by Example Health asks for access to your data");
    // The same id without the registration's proof is shown as it is, unverified.
    const lookalike = await createAccessRequest({ requestingAppId: "diary-app", requestedPermissions: DIARY_READ });
    const page = textOf((await new PageBrowser().get(lookalike.authUrl)).html);
    expect(page).toContain("Not verified: this name is given by the app itself (diary-app)");
    expect(page).not.toContain("Diary by Example Health");
  });

  it("calls a request for everything \"all your data\"", async () => {
    const user = await createUser();
    const { consent } = await signedInOnConsent(new PageBrowser(), user, { requestedPermissions: [{ streamId: "*", level: "read" }] });
    expect(textOf(consent.html)).toContain("all your data : read");
    expect(textOf(consent.html)).toContain("This access does not end by itself");
  });

  it("accept gives an app access with exactly the requested permissions and settles the request", async () => {
    const user = await userWithDiary();
    const browser = new PageBrowser();
    const { request } = await signedInOnConsent(browser, user, {
      requestedPermissions: [
        { streamId: "diary", defaultName: "Diary", level: "read" },
        { streamId: "fresh", defaultName: "Fresh notes", level: "contribute" },
      ],
      clientData: { app: { version: 2 } },
      deviceName: "laptop",
      expireAfter: 3600,
    });
    const pagesToken = browser.session()!.token!;
    const done = await browser.post("/accept", { key: request.key });
    expect(done.status, done.html).toBe(200);
    expect(textOf(done.html)).toContain("Access given. You may close this window.");
    expect(done.html).toContain("close.js");

    const polled = await pollRequest(request.key);
    expect(polled.body).toMatchObject({ status: "ACCEPTED", username: user.username });
    const token = polled.body.token as string;
    expect(polled.body.apiEndpoint).toBe(`${BASE.replace("//", `//${token}@`)}/${user.username}/`);

    const info = await get(`/${user.username}/access-info`, { token });
    expect(info.body).toMatchObject({ type: "app", name: "pages-test-app", deviceName: "laptop", clientData: { app: { version: 2 } } });
    expect(ownPermissions(info.body.permissions)).toEqual([
      { streamId: "diary", level: "read" },
      { streamId: "fresh", level: "contribute" },
    ]);
    expect(info.body.expires - Date.now() / 1000).toBeGreaterThan(3500);
    const streams = await get(`/${user.username}/streams`, { token: user.token });
    expect(streams.body.streams.map((s: { id: string; name: string }) => [s.id, s.name])).toContainEqual(["fresh", "Fresh notes"]);
    expect((await get(`/${user.username}/events`, { token, query: { streams: ["diary"] } })).status).toBe(200);
    // A stream the token cannot even list is unknown to it.
    const hidden = await get(`/${user.username}/events`, { token, query: { streams: ["private-notes"] } });
    expect([hidden.status, hidden.body.error.id]).toEqual([400, "unknown-referenced-resource"]);

    // The pages' own session is over: its cookie is gone and its token no longer works.
    expect(browser.session()).toBeNull();
    expect((await get(`/${user.username}/account`, { token: pagesToken })).status).toBe(403);
    // A second answer is refused.
    expect((await browser.post("/refuse", { key: request.key })).status).toBe(409);
    expect((await pollRequest(request.key)).body.status).toBe("ACCEPTED");
  });

  it("returns to returnURL with the poll URL and status, never the token", async () => {
    const user = await userWithDiary();
    const browser = new PageBrowser();
    const returnURL = "https://app.example.com/back?from=pryv&";
    const { request, consent } = await signedInOnConsent(browser, user, { returnURL });
    // Chrome applies form-action to the redirect after the form: the consent page allows the app's origin.
    expect(consent.headers.get("Content-Security-Policy")).toContain("form-action 'self' https://app.example.com");
    expect(textOf(consent.html)).toContain("You will then go back to https://app.example.com");
    const back = new URL(location(await browser.post("/accept", { key: request.key })));
    expect(`${back.origin}${back.pathname}`).toBe("https://app.example.com/back");
    expect(back.searchParams.get("from")).toBe("pryv");
    expect(back.searchParams.get("prYvpoll")).toBe(request.poll);
    expect(back.searchParams.get("prYvkey")).toBe(request.key);
    expect(back.searchParams.get("prYvstatus")).toBe("ACCEPTED");
    const token = (await pollRequest(request.key)).body.token as string;
    expect(back.href).not.toContain(token);
  });

  it("refuse settles the request REFUSED and gives nothing", async () => {
    const user = await userWithDiary();
    const browser = new PageBrowser();
    const { request } = await signedInOnConsent(browser, user);
    const done = await browser.post("/refuse", { key: request.key });
    expect(done.status).toBe(200);
    expect(textOf(done.html)).toContain("Access refused.");
    const polled = await pollRequest(request.key);
    expect(polled.body).toMatchObject({ status: "REFUSED", reasonId: "REFUSED_BY_USER" });
    const accesses = await get(`/${user.username}/accesses`, { token: user.token });
    expect(accesses.body.accesses.filter((a: { type: string }) => a.type === "app")).toEqual([]);
    expect(browser.session()).toBeNull();
  });

  it("refuse from the sign-in page, without signing in", async () => {
    const request = await createAccessRequest({ requestedPermissions: DIARY_READ, returnURL: "https://app.example.com/#" });
    const browser = new PageBrowser();
    await browser.get(request.authUrl);
    const back = location(await browser.post("/refuse", { key: request.key }));
    expect(back).toBe(`https://app.example.com/#prYvpoll=${encodeURIComponent(request.poll)}&prYvkey=${request.key}&prYvstatus=REFUSED`);
    expect((await pollRequest(request.key)).body.status).toBe("REFUSED");
  });

  it("reuses an access that already matches, and replaces a mismatching one only on accept", async () => {
    const user = await userWithDiary();
    const firstBrowser = new PageBrowser();
    const again = await signedInOnConsent(firstBrowser, user);
    await firstBrowser.post("/accept", { key: again.request.key });
    const firstToken = (await pollRequest(again.request.key)).body.token as string;

    const matching = await signedInOnConsent(new PageBrowser(), user);
    expect(textOf(matching.consent.html)).toContain("You already gave this app exactly this access");
    expect(textOf(matching.consent.html)).toContain("My diary : read");

    const browser = new PageBrowser();
    const wider = await signedInOnConsent(browser, user, { requestedPermissions: [{ streamId: "diary", level: "contribute" }] });
    expect(textOf(wider.consent.html)).toContain("This app already has a different access. Accepting replaces it");
    // Seeing the page changed nothing.
    expect((await get(`/${user.username}/access-info`, { token: firstToken })).status).toBe(200);
    await browser.post("/accept", { key: wider.request.key });
    const secondToken = (await pollRequest(wider.request.key)).body.token as string;
    expect(secondToken).not.toBe(firstToken);
    expect((await get(`/${user.username}/access-info`, { token: firstToken })).status).toBe(403);
    expect(ownPermissions((await get(`/${user.username}/access-info`, { token: secondToken })).body.permissions)).toEqual([
      { streamId: "diary", level: "contribute" },
    ]);

    const reuse = new PageBrowser();
    const same = await signedInOnConsent(reuse, user, { requestedPermissions: [{ streamId: "diary", level: "contribute" }] });
    await reuse.post("/accept", { key: same.request.key });
    expect((await pollRequest(same.request.key)).body.token).toBe(secondToken);
  });

  it("sends a session that expired (or was never opened) back to sign in", async () => {
    const request = await createAccessRequest({ requestedPermissions: DIARY_READ });
    const browser = new PageBrowser();
    const res = await browser.get(`/consent?key=${request.key}`);
    expect(res.status).toBe(401);
    expect(textOf(res.html)).toContain("Your sign-in has expired.");
    await browser.get(request.authUrl);
    expect((await browser.post("/accept", { key: request.key })).status).toBe(401);
    expect((await pollRequest(request.key)).body.status).toBe("NEED_SIGNIN");
  });

  it("asks for the MFA code when the account has MFA, then goes on to consent", async () => {
    const { user, secret } = await userWithMfa();
    const request = await createAccessRequest({ requestedPermissions: [{ streamId: "*", level: "read" }] });
    const browser = new PageBrowser();
    await browser.get(request.authUrl);
    const signedIn = await browser.post("/signin", { key: request.key, username: user.username, password: user.password });
    expect(location(signedIn)).toBe(`${AUTH}/mfa?key=${request.key}&lang=en`);
    expect(browser.session()!.token).toBeUndefined();
    const mfa = await browser.get(location(signedIn));
    expect(textOf(mfa.html)).toContain("Enter the code from your authentication app.");
    const wrong = await browser.post("/mfa", { key: request.key, code: "000000" });
    expect(wrong.status).toBe(401);
    expect(textOf(wrong.html)).toContain("This code is not valid.");
    const verified = await browser.post("/mfa", { key: request.key, code: nextStepCode(secret) });
    expect(location(verified)).toBe(`${AUTH}/consent?key=${request.key}&lang=en`);
    expect((await browser.get(location(verified))).status).toBe(200);
    expect((await browser.post("/accept", { key: request.key })).status).toBe(200);
    expect((await pollRequest(request.key)).body.status).toBe("ACCEPTED");
  });
});

describe("create an account on the way", () => {
  it("registers, signs in and goes on to consent", async () => {
    const request = await createAccessRequest({ requestedPermissions: [{ streamId: "notes", defaultName: "Notes", level: "manage" }] });
    const browser = new PageBrowser();
    const signIn = await browser.get(request.authUrl);
    expect(signIn.html).toContain(`/reg/auth/register?key=${request.key}`);
    const form = await browser.get(`/register?key=${request.key}`);
    expect(form.status).toBe(200);
    const username = uniqueUsername("pages");
    const taken = await browser.post("/register", { key: request.key, username, email: "bad", password: "a-good-password" });
    expect(taken.status).toBe(400);
    expect(textOf(taken.html)).toContain("The account could not be created");
    const created = await browser.post("/register", { key: request.key, username, email: `${username}@example.com`, password: "a-good-password" });
    expect(location(created)).toBe(`${AUTH}/consent?key=${request.key}&lang=en`);
    const consent = await browser.get(location(created));
    expect(textOf(consent.html)).toContain("Notes (will be created) : manage");
    await browser.post("/accept", { key: request.key });
    const polled = await pollRequest(request.key);
    expect(polled.body).toMatchObject({ status: "ACCEPTED", username });
    const again = await browser.post("/register", { username, email: `${username}@example.com`, password: "a-good-password" });
    expect(textOf(again.html)).toContain("This username or email address is already in use.");
    // The account is a real one: its password logs in.
    expect(await loginToken({ username, password: "a-good-password" })).toMatch(/^[0-9a-z]{32}$/);
  });
});

describe("forgotten and reset password", () => {
  it("mails a link whose page sets a new password (the token never in a URL the server sees)", async () => {
    const user = await createUser();
    const browser = new PageBrowser();
    const form = await browser.get("/forgot");
    expect(form.status).toBe(200);
    const sent = await browser.post("/forgot", { username: user.username });
    expect(sent.status).toBe(200);
    expect(textOf(sent.html)).toContain("If this account exists, a message with a link");
    // Same answer for an account that does not exist.
    const unknown = await browser.post("/forgot", { username: "no-such-account-here" });
    expect(textOf(unknown.html)).toBe(textOf(sent.html));

    const outbox = await get("/reg/dev/outbox.json");
    const mail = (outbox.body.messages as { to: string; text: string }[]).find((m) => m.to === user.email)!;
    const link = /(http\S+\/reg\/auth\/reset#\S+)/.exec(mail.text)![1]!;
    const fragment = new URLSearchParams(new URL(link).hash.slice(1));
    expect(fragment.get("username")).toBe(user.username);

    const page = await browser.get(link.split("#")[0]!);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`src="${BASE}/reg/assets/reset.js"`);
    expect(page.html).toContain("<noscript>");
    const wrong = await browser.post("/reset", { username: user.username, resetToken: "x".repeat(32), newPassword: "brand-new-pass" });
    expect(wrong.status).toBe(400);
    expect(textOf(wrong.html)).toContain("the link is invalid or has expired");
    const done = await browser.post("/reset", { username: user.username, resetToken: fragment.get("token")!, newPassword: "brand-new-pass" });
    expect(done.status, done.html).toBe(200);
    expect(textOf(done.html)).toContain("Your password is changed.");
    expect(await loginToken({ username: user.username, password: "brand-new-pass" })).toMatch(/^[0-9a-z]{32}$/);
  });
});

describe("service assets", () => {
  const fetchAsset = (path: string) => SELF.fetch(`${BASE}${path}`, { headers: { Origin: "https://app.example.com" } });

  it("are advertised in service info and served with their types, CORS open", async () => {
    const info = await get("/reg/service/info");
    const indexUrl = info.body.assets.definitions as string;
    expect(indexUrl).toBe(`${BASE}/reg/assets/index.json`);
    const indexRes = await fetchAsset("/reg/assets/index.json");
    expect(indexRes.status).toBe(200);
    expect(indexRes.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const index = (await indexRes.json()) as any;
    const files: [string, RegExp][] = [
      [index.favicon.default.url, /^image\/svg\+xml/],
      [index.css.default.url, /^text\/css/],
      [index["lib-js"].buttonSignIn.css, /^text\/css/],
      [index["lib-js"].buttonSignIn.html, /^text\/html/],
      [index["lib-js"].buttonSignIn.messages, /^application\/json/],
      ["reset.js", /^text\/javascript/],
      ["close.js", /^text\/javascript/],
    ];
    for (const [relative, type] of files) {
      const res = await fetchAsset(new URL(relative, indexUrl).pathname);
      expect(res.status, relative).toBe(200);
      expect(res.headers.get("Content-Type")).toMatch(type);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
      await res.arrayBuffer();
    }
    const html = await (await fetchAsset(new URL(index["lib-js"].buttonSignIn.html, indexUrl).pathname)).text();
    expect(html).toContain('id="pryv-access-btn-text"');
    const messages = await (await fetchAsset(new URL(index["lib-js"].buttonSignIn.messages, indexUrl).pathname)).json();
    expect(messages).toMatchObject({ LOADING: { en: expect.any(String) }, LOGIN: { en: "Sign in", fr: "Se connecter" } });
    expect((await get("/reg/assets/nothing.css")).status).toBe(404);
    expect((await get("/reg/assets/hasOwnProperty")).status).toBe(404);
  });
});

// Last in this file: once a token exists, every later registration here would need one.
describe("create an account once the platform has invitation tokens", () => {
  it("asks for a token, as auth.register then requires one", async () => {
    const request = await createAccessRequest({ requestedPermissions: [{ streamId: "notes", level: "read" }] });
    const browser = new PageBrowser();
    expect((await browser.get(`/register?key=${request.key}`)).html).not.toContain('name="invitationToken"');
    const generated = await get("/reg/admin/invitations/post", { token: TEST_ADMIN_KEY, query: { count: 1 } });
    expect(generated.status).toBe(200);
    const invitation = generated.body.data[0].id as string;
    expect((await browser.get(`/register?key=${request.key}`)).html).toContain('name="invitationToken"');
    const username = uniqueUsername("invited");
    const fields = { key: request.key, username, email: `${username}@example.com`, password: "a-good-password" };
    expect((await browser.post("/register", fields)).status).toBe(400);
    const created = await browser.post("/register", { ...fields, invitationToken: invitation });
    expect(location(created)).toBe(`${AUTH}/consent?key=${request.key}&lang=en`);
  });
});
