/** @jsxImportSource hono/jsx */
/**
 * The web pages under `/reg/auth` (sign in → MFA → consent, create an account,
 * forgotten and reset password) and the service assets under `/reg/assets`.
 * Every POST is a form of these pages (CSRF-checked) and calls the registry's
 * methods for the person, as the API would; nothing secret goes in a URL.
 */
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { getConfig, type Config } from "../config";
import { readAccessRequest, type AccessRequest } from "../consent/access-requests.store";
import { errors, type ErrorBody } from "../errors";
import type { AppEnv } from "../http/app-env";
import { callFor } from "./page-calls";
import { readTextWithin } from "../http/body";
import { jsonResponse } from "../http/meta";
import { createDb } from "../db/client";
import { registrationGate } from "../register/invitations";
import { findMethod } from "../methods/registry";
import { logFailure } from "../shared/log";
import { ASSET_FILES } from "./assets/files";
import { acceptRequest, checkConsent, endPersonalSession, refuseRequest } from "./consent-flow";
import { languageFromAcceptHeader, pickLanguage, supportedLanguage, translator, type Language } from "./i18n";
import { renderPage, type PageContext } from "./layout";
import { clearSession, readSession, writeSession, type PageSession } from "./page-session";
import { describePermission, durationWords } from "./permission-words";
import { csrfToken, isOwnFormPost, pageHeaders, pageSite, type PageSite } from "./security";
import { ConsentPage, ForgotPage, MessagePage, MfaPage, RegisterPage, ResetPage, SignInPage, type AppIdentity } from "./views";

/** The app id the pages log in and register with (the pages' own origin is trusted for it). */
export const PAGES_APP_ID = "pryv-edge-auth";
/** Forms are small: a few short fields. */
const FORM_LIMIT = 16 * 1024;

type C = Context<AppEnv>;
type Form = Record<string, string>;

interface Page {
  config: Config;
  site: PageSite;
  page: PageContext;
}

/** The request's own language (or the page's `lang`), else the browser's, else English. */
function languageOf(c: C, request: AccessRequest | null, explicit?: string): Language {
  const asked = supportedLanguage(request ? request.languageCode : explicit);
  return pickLanguage(asked, languageFromAcceptHeader(c.req.header("Accept-Language") ?? null));
}

function pageFor(c: C, language: Language): Page {
  const config = getConfig(c.env);
  const site = pageSite(config);
  const page: PageContext = {
    lang: language,
    t: translator(language),
    serviceName: config.service.name,
    assets: site.assets,
    base: config.accessRequests.authUrl,
    csrf: csrfToken(c, site),
  };
  return { config, site, page };
}

function respond(c: C, status: number, element: Child, formTargets: string[] = []): Response {
  return c.html(renderPage(element), status as 200, pageHeaders(formTargets));
}

function message(c: C, { page }: Page, status: number, text: string, options: { error?: boolean; closeWindow?: boolean } = {}) {
  const title = page.t(options.error === false ? "title.done" : "title.error");
  return respond(c, status, <MessagePage page={page} title={title} text={text} error={options.error ?? true} closeWindow={options.closeWindow} />);
}

/** Where to go next within the pages (a 303 after a form, so reloading repeats nothing). */
function goTo(c: C, { page }: Page, path: string, key: string | null): Response {
  const query = new URLSearchParams({ ...(key ? { key } : {}), lang: page.lang });
  c.header("Cache-Control", "no-store");
  return c.redirect(`${page.base}${path}?${query.toString()}`, 303);
}

async function readForm(c: C): Promise<Form | null> {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return null;
  try {
    return Object.fromEntries(new URLSearchParams(await readTextWithin(c.req.raw, FORM_LIMIT)));
  } catch {
    return null; // too large
  }
}

const field = (form: Form, name: string) => (form[name] ?? "").trim();

/** A pending request, or the page saying why there is none (unknown or expired: 404; answered: 409). */
async function pendingRequest(c: C, key: string, explicitLanguage?: string): Promise<AccessRequest | Response> {
  const request = await readAccessRequest(c.env, key);
  if (!request) {
    const p = pageFor(c, languageOf(c, null, explicitLanguage));
    return message(c, p, 404, p.page.t("error.unknownRequest"));
  }
  if (request.status !== "NEED_SIGNIN") {
    const p = pageFor(c, languageOf(c, request));
    return message(c, p, 409, p.page.t("error.settledRequest"), { closeWindow: true });
  }
  return request;
}

const appIdentity = (request: AccessRequest): AppIdentity => ({
  id: request.requestingAppId,
  verifiedName: request.verifiedApp?.name ?? null,
});

/** The `returnURL` the browser goes back to, if it is a plain http(s) URL. */
function returnTarget(request: AccessRequest): URL | null {
  if (!request.returnURL) return null;
  try {
    const url = new URL(request.returnURL);
    return /^https?:$/.test(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

/**
 * After the decision: back to the app's `returnURL` with the reference's parameters (the poll URL, key and
 * status; never the token, which the app gets by polling), or a page saying the window may be closed.
 */
function afterDecision(c: C, p: Page, request: AccessRequest, status: "ACCEPTED" | "REFUSED"): Response {
  const target = returnTarget(request);
  if (!target) return message(c, p, 200, p.page.t(status === "ACCEPTED" ? "done.accepted" : "done.refused"), { error: false, closeWindow: true });
  const params = request.oauthState
    ? new URLSearchParams({ state: request.oauthState, code: request.key, poll: request.poll })
    : new URLSearchParams({ prYvpoll: request.poll, prYvkey: request.key, prYvstatus: status });
  const href = request.returnURL!;
  const joiner = /[?#&]$/.test(href) ? "" : target.search ? "&" : "?";
  c.header("Cache-Control", "no-store");
  return c.redirect(`${href}${joiner}${params.toString()}`, 303);
}

async function signInPage(c: C, p: Page, request: AccessRequest, status: number, text: string | null, username?: string) {
  const registrationOpen = (await registrationGate(createDb(c.env.DB), p.config)) !== "closed";
  return respond(
    c,
    status,
    <SignInPage page={p.page} key_={request.key} app={appIdentity(request)} registrationOpen={registrationOpen} username={username} message={text} />,
  );
}

/** The reason a call failed, for the person (the API's own message). */
const reason = (error: ErrorBody) => error.message;

function throttledMinutes(error: ErrorBody): number {
  const seconds = Number((error.data as { retryAfter?: number } | undefined)?.retryAfter ?? 60);
  return Math.max(1, Math.ceil(seconds / 60));
}

/** A signed-in session for this request, or null. */
function signedIn(c: C, key: string): (PageSession & { token: string }) | null {
  const session = readSession(c, key);
  return session?.token ? (session as PageSession & { token: string }) : null;
}

export const pagesRoutes = new Hono<AppEnv>();

pagesRoutes.onError((err, c) => {
  logFailure("pages", err);
  const p = pageFor(c, languageOf(c, null));
  return message(c, p, 503, p.page.t("error.unexpected"));
});

// ---- service assets

pagesRoutes.get("/assets/*", (c) => {
  const name = c.req.path.replace(/^.*?\/assets\//, "");
  const file = Object.hasOwn(ASSET_FILES, name) ? ASSET_FILES[name] : undefined;
  if (!file) return jsonResponse(c, getConfig(c.env), 404, { error: errors.unknownResource().toBody() });
  return c.body(file.body, 200, {
    "Content-Type": file.type,
    "Cache-Control": "public, max-age=3600",
    "Content-Security-Policy": "default-src 'none'",
  });
});

// ---- sign in

pagesRoutes.get("/auth", async (c) => {
  const request = await pendingRequest(c, c.req.query("key") ?? "");
  if (request instanceof Response) return request;
  return signInPage(c, pageFor(c, languageOf(c, request)), request, 200, null);
});

/** A POST of the pages' forms: CSRF first (403, nothing done), then the handler. */
function formRoute(path: string, handler: (c: C, form: Form) => Promise<Response>) {
  pagesRoutes.post(path, async (c) => {
    const form = await readForm(c);
    if (!form || !isOwnFormPost(c, pageSite(getConfig(c.env)), form.csrf)) {
      const p = pageFor(c, languageOf(c, null, form?.lang));
      return message(c, p, 403, p.page.t("error.csrf"));
    }
    return handler(c, form);
  });
}

formRoute("/auth/signin", async (c, form) => {
  const request = await pendingRequest(c, field(form, "key"));
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request));
  const username = field(form, "username").toLowerCase();
  const outcome = await callFor(
    c,
    "auth.login",
    { username, password: form.password ?? "", appId: PAGES_APP_ID },
    { username: username || null, token: null },
  );
  if (!outcome.ok) {
    if (outcome.error.id === "too-many-requests") {
      return signInPage(c, p, request, 429, p.page.t("signIn.throttled", { minutes: throttledMinutes(outcome.error) }), username);
    }
    return signInPage(c, p, request, 401, p.page.t("signIn.wrongCredentials"), username);
  }
  const result = outcome.result as { token?: string; mfaToken?: string };
  if (result.mfaToken) {
    writeSession(c, p.site, { key: request.key, username, mfaToken: result.mfaToken });
    if (findMethod("mfa.challenge")) await callFor(c, "mfa.challenge", {}, { username, token: result.mfaToken });
    return goTo(c, p, "/mfa", request.key);
  }
  writeSession(c, p.site, { key: request.key, username, token: result.token! });
  return goTo(c, p, "/consent", request.key);
});

// ---- MFA step

pagesRoutes.get("/auth/mfa", async (c) => {
  const request = await pendingRequest(c, c.req.query("key") ?? "");
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request));
  if (!readSession(c, request.key)?.mfaToken) return signInPage(c, p, request, 401, p.page.t("error.session"));
  return respond(c, 200, <MfaPage page={p.page} key_={request.key} />);
});

formRoute("/auth/mfa", async (c, form) => {
  const request = await pendingRequest(c, field(form, "key"));
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request));
  const session = readSession(c, request.key);
  if (!session?.mfaToken) return signInPage(c, p, request, 401, p.page.t("error.session"));
  const outcome = await callFor(c, "mfa.verify", { code: field(form, "code") }, { username: session.username, token: session.mfaToken });
  if (!outcome.ok) {
    if (outcome.error.id === "invalid-access-token") {
      clearSession(c, p.site);
      return signInPage(c, p, request, 401, p.page.t("error.session"));
    }
    const text =
      outcome.error.id === "too-many-requests"
        ? p.page.t("signIn.throttled", { minutes: throttledMinutes(outcome.error) })
        : p.page.t("mfa.failed");
    return respond(c, outcome.status === 429 ? 429 : 401, <MfaPage page={p.page} key_={request.key} message={text} />);
  }
  writeSession(c, p.site, { key: request.key, username: session.username, token: (outcome.result as { token: string }).token });
  return goTo(c, p, "/consent", request.key);
});

// ---- consent

pagesRoutes.get("/auth/consent", async (c) => {
  const request = await pendingRequest(c, c.req.query("key") ?? "");
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request));
  const session = signedIn(c, request.key);
  if (!session) return signInPage(c, p, request, 401, p.page.t("error.session"));
  const check = await checkConsent(c, request, session);
  if (!check.ok) {
    if (check.error.id === "invalid-access-token") {
      clearSession(c, p.site);
      return signInPage(c, p, request, 401, p.page.t("error.session"));
    }
    return message(c, p, 400, p.page.t("error.generic", { reason: reason(check.error) }));
  }
  const { t } = p.page;
  const target = returnTarget(request);
  return respond(
    c,
    200,
    <ConsentPage
      page={p.page}
      key_={request.key}
      app={appIdentity(request)}
      deviceName={request.deviceName}
      lines={check.permissions.map((permission) => describePermission(t, permission, check.names))}
      expiry={request.expireAfter ? t("consent.expires", { duration: durationWords(t, request.expireAfter) }) : t("consent.noExpiry")}
      existing={check.matching ? "matching" : check.mismatching ? "mismatching" : null}
      returnOrigin={target?.origin ?? null}
    />,
    target ? [target.origin] : [],
  );
});

formRoute("/auth/accept", async (c, form) => {
  const request = await pendingRequest(c, field(form, "key"));
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request));
  const session = signedIn(c, request.key);
  if (!session) return signInPage(c, p, request, 401, p.page.t("error.session"));
  const outcome = await acceptRequest(c, request, session);
  if (!outcome.ok) {
    if ("settledMeanwhile" in outcome) return message(c, p, 409, p.page.t("error.settledRequest"), { closeWindow: true });
    return message(c, p, 400, p.page.t("error.generic", { reason: reason(outcome.error) }));
  }
  await endPersonalSession(c, session);
  clearSession(c, p.site);
  return afterDecision(c, p, request, "ACCEPTED");
});

formRoute("/auth/refuse", async (c, form) => {
  const request = await pendingRequest(c, field(form, "key"));
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request));
  if (!(await refuseRequest(c, request.key))) return message(c, p, 409, p.page.t("error.settledRequest"), { closeWindow: true });
  await endPersonalSession(c, readSession(c, request.key));
  clearSession(c, p.site);
  return afterDecision(c, p, request, "REFUSED");
});

// ---- create an account

/** The request a key-bearing page is for; with no key, none (a page of its own). */
async function optionalRequest(c: C, key: string, explicitLanguage?: string): Promise<AccessRequest | null | Response> {
  return key ? pendingRequest(c, key, explicitLanguage) : null;
}

/** The same gate as `auth.register` (invitations.ts): open, a token required (configured or generated), or closed. */
async function registerPage(c: C, p: Page, key: string | null, status: number, text: string | null, values = {}) {
  const gate = await registrationGate(createDb(c.env.DB), p.config);
  if (gate === "closed") return message(c, p, 403, p.page.t("register.closed"));
  return respond(
    c,
    status,
    <RegisterPage page={p.page} key_={key} needsInvitation={gate === "token-required"} values={values} message={text} />,
  );
}

pagesRoutes.get("/auth/register", async (c) => {
  const request = await optionalRequest(c, c.req.query("key") ?? "", c.req.query("lang"));
  if (request instanceof Response) return request;
  return registerPage(c, pageFor(c, languageOf(c, request, c.req.query("lang"))), request?.key ?? null, 200, null);
});

formRoute("/auth/register", async (c, form) => {
  const request = await optionalRequest(c, field(form, "key"), form.lang);
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request, form.lang));
  const values = { username: field(form, "username").toLowerCase(), email: field(form, "email") };
  const invitationToken = field(form, "invitationToken");
  const outcome = await callFor(
    c,
    "auth.register",
    {
      appId: PAGES_APP_ID,
      ...values,
      password: form.password ?? "",
      language: p.page.lang,
      ...(invitationToken ? { invitationToken } : {}),
      ...(request ? { referer: request.requestingAppId.slice(0, 99) } : {}),
    },
    { username: null, token: null },
  );
  if (!outcome.ok) {
    const text =
      outcome.error.id === "item-already-exists"
        ? p.page.t("register.taken")
        : p.page.t("register.failed", { reason: reason(outcome.error) });
    return registerPage(c, p, request?.key ?? null, outcome.status === 429 ? 429 : 400, text, values);
  }
  if (!request) return message(c, p, 201, p.page.t("register.created"), { error: false });
  // The new account's personal token (in its apiEndpoint) signs the person in.
  const token = /^https?:\/\/([^@/]+)@/.exec((outcome.result as { apiEndpoint: string }).apiEndpoint)?.[1];
  if (!token) throw new Error("registration answered no token");
  writeSession(c, p.site, { key: request.key, username: values.username, token });
  return goTo(c, p, "/consent", request.key);
});

// ---- forgotten and reset password

pagesRoutes.get("/auth/forgot", async (c) => {
  const request = await optionalRequest(c, c.req.query("key") ?? "", c.req.query("lang"));
  if (request instanceof Response) return request;
  const p = pageFor(c, languageOf(c, request, c.req.query("lang")));
  return respond(c, 200, <ForgotPage page={p.page} key_={request?.key ?? null} sent={false} />);
});

formRoute("/auth/forgot", async (c, form) => {
  const key = field(form, "key");
  const request = key ? await readAccessRequest(c.env, key) : null;
  const p = pageFor(c, languageOf(c, request, form.lang));
  const username = field(form, "username").toLowerCase();
  // The same answer whatever happened: the page tells nobody whether an account exists.
  if (username) await callFor(c, "account.requestPasswordReset", { appId: PAGES_APP_ID }, { username, token: null });
  return respond(c, 200, <ForgotPage page={p.page} key_={request?.key ?? null} sent />);
});

pagesRoutes.get("/auth/reset", (c) => {
  const p = pageFor(c, languageOf(c, null, c.req.query("lang")));
  return respond(c, 200, <ResetPage page={p.page} />);
});

formRoute("/auth/reset", async (c, form) => {
  const p = pageFor(c, languageOf(c, null, form.lang));
  const username = field(form, "username").toLowerCase();
  const resetToken = field(form, "resetToken");
  const outcome = await callFor(
    c,
    "account.resetPassword",
    { appId: PAGES_APP_ID, resetToken, newPassword: form.newPassword ?? "" },
    { username: username || null, token: null },
  );
  if (outcome.ok) return message(c, p, 200, p.page.t("reset.done"), { error: false });
  const text =
    outcome.error.id === "too-many-requests"
      ? p.page.t("signIn.throttled", { minutes: throttledMinutes(outcome.error) })
      : outcome.error.id === "invalid-parameters-format"
        ? p.page.t("error.generic", { reason: reason(outcome.error) })
        : p.page.t("reset.failed");
  return respond(c, outcome.status === 429 ? 429 : 400, <ResetPage page={p.page} message={text} username={username} token={resetToken} />);
});

pagesRoutes.all("/auth/*", (c) => {
  const p = pageFor(c, languageOf(c, null));
  return message(c, p, 404, p.page.t("error.notFound"));
});
