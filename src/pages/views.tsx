/** @jsxImportSource hono/jsx */
/** The pages' views. Each takes what it shows; the routes decide which and with what status (`key_`: JSX keeps `key` for itself). */
import type { FC } from "hono/jsx";
import { Field, Hidden, Layout, Notice, PageForm, type PageContext } from "./layout";
import type { PermissionLine } from "./permission-words";

const keyQuery = (page: PageContext, key: string | null) =>
  `?${new URLSearchParams({ ...(key ? { key } : {}), lang: page.lang }).toString()}`;

/** The app as the person should judge it: a registered app's name with a badge, else its raw id marked unverified. */
export interface AppIdentity {
  id: string;
  verifiedName: string | null;
}

/** Refusing needs no sign-in: the sign-in page offers it too. */
const RefuseForm: FC<{ page: PageContext; key_: string }> = ({ page, key_ }) => (
  <PageForm page={page} action="/refuse">
    <Hidden name="key" value={key_} />
    <button type="submit" class="secondary">
      {page.t("action.refuse")}
    </button>
  </PageForm>
);

const AppBadge: FC<{ page: PageContext; app: AppIdentity }> = ({ page, app }) =>
  app.verifiedName ? (
    <p>
      <span class="app-name">{app.verifiedName}</span> <span class="badge verified">{page.t("consent.verified")}</span>
    </p>
  ) : (
    <p>
      <span class="app-name">{app.id}</span>{" "}
      <span class="badge unverified">{page.t("consent.notVerified", { id: app.id })}</span>
    </p>
  );

const appLabel = (app: AppIdentity) => app.verifiedName ?? app.id;

export const SignInPage: FC<{
  page: PageContext;
  key_: string;
  app: AppIdentity;
  registrationOpen: boolean;
  username?: string;
  message?: string | null;
}> = ({ page, key_, app, registrationOpen, username, message }) => (
  <Layout page={page} title={page.t("title.signIn")}>
    <AppBadge page={page} app={app} />
    <p>{page.t("signIn.intro", { app: appLabel(app), service: page.serviceName })}</p>
    <Notice text={message} error />
    <PageForm page={page} action="/signin" id="signin-form">
      <Hidden name="key" value={key_} />
      <Field label={page.t("field.username")} name="username" value={username} autocomplete="username" />
      <Field label={page.t("field.password")} name="password" type="password" autocomplete="current-password" />
      <div class="actions">
        <button type="submit">{page.t("action.signIn")}</button>
      </div>
    </PageForm>
    <RefuseForm page={page} key_={key_} />
    <p class="links">
      {registrationOpen ? <a href={`${page.base}/register${keyQuery(page, key_)}`}>{page.t("action.toRegister")}</a> : null}
      <a href={`${page.base}/forgot${keyQuery(page, key_)}`}>{page.t("action.toForgot")}</a>
    </p>
  </Layout>
);

export const MfaPage: FC<{ page: PageContext; key_: string; message?: string | null }> = ({ page, key_, message }) => (
  <Layout page={page} title={page.t("title.mfa")}>
    <p>{page.t("mfa.intro")}</p>
    <Notice text={message} error />
    <PageForm page={page} action="/mfa">
      <Hidden name="key" value={key_} />
      <Field label={page.t("field.mfaCode")} name="code" autocomplete="one-time-code" />
      <button type="submit">{page.t("action.verify")}</button>
    </PageForm>
  </Layout>
);

export const ConsentPage: FC<{
  page: PageContext;
  key_: string;
  app: AppIdentity;
  deviceName: string | null;
  lines: PermissionLine[];
  expiry: string;
  existing: "matching" | "mismatching" | null;
  returnOrigin: string | null;
}> = ({ page, key_, app, deviceName, lines, expiry, existing, returnOrigin }) => (
  <Layout page={page} title={page.t("title.consent")}>
    <AppBadge page={page} app={app} />
    {deviceName ? <p class="note">{page.t("consent.device", { device: deviceName })}</p> : null}
    <p>{page.t("consent.asks", { app: appLabel(app) })}</p>
    <ul class="permissions" id="permissions">
      {lines.map((line) => (
        <li>
          {line.subject ? (
            <>
              <strong>{line.subject}</strong>: {line.text}
            </>
          ) : (
            line.text
          )}
        </li>
      ))}
    </ul>
    <p class="note">{expiry}</p>
    {existing === "matching" ? <Notice text={page.t("consent.alreadyGranted")} /> : null}
    {existing === "mismatching" ? <Notice text={page.t("consent.willReplace")} /> : null}
    {returnOrigin ? <p class="note">{page.t("consent.returnTo", { origin: returnOrigin })}</p> : null}
    <div class="actions">
      <PageForm page={page} action="/accept">
        <Hidden name="key" value={key_} />
        <button type="submit">{page.t("action.accept")}</button>
      </PageForm>
      <RefuseForm page={page} key_={key_} />
    </div>
  </Layout>
);

export const RegisterPage: FC<{
  page: PageContext;
  key_: string | null;
  needsInvitation: boolean;
  values?: { username?: string; email?: string };
  message?: string | null;
}> = ({ page, key_, needsInvitation, values = {}, message }) => (
  <Layout page={page} title={page.t("title.register")}>
    <p>{page.t("register.intro", { service: page.serviceName })}</p>
    <Notice text={message} error />
    <PageForm page={page} action="/register">
      <Hidden name="key" value={key_} />
      <Field label={page.t("field.username")} name="username" value={values.username} autocomplete="username" />
      <Field label={page.t("field.email")} name="email" type="email" value={values.email} autocomplete="email" />
      <Field label={page.t("field.password")} name="password" type="password" autocomplete="new-password" />
      {needsInvitation ? <Field label={page.t("field.invitationToken")} name="invitationToken" autocomplete="off" /> : null}
      <button type="submit">{page.t("action.register")}</button>
    </PageForm>
    {key_ ? (
      <p class="links">
        <a href={`${page.base}${keyQuery(page, key_)}`}>{page.t("action.toSignIn")}</a>
      </p>
    ) : null}
  </Layout>
);

export const ForgotPage: FC<{ page: PageContext; key_: string | null; sent: boolean }> = ({ page, key_, sent }) => (
  <Layout page={page} title={page.t("title.forgot")}>
    {sent ? (
      <Notice text={page.t("forgot.sent")} />
    ) : (
      <>
        <p>{page.t("forgot.intro")}</p>
        <PageForm page={page} action="/forgot">
          <Hidden name="key" value={key_} />
          <Field label={page.t("field.username")} name="username" autocomplete="username" />
          <button type="submit">{page.t("action.send")}</button>
        </PageForm>
      </>
    )}
    {key_ ? (
      <p class="links">
        <a href={`${page.base}${keyQuery(page, key_)}`}>{page.t("action.toSignIn")}</a>
      </p>
    ) : null}
  </Layout>
);

/** The username and token come from the link's fragment, copied into the form by reset.js. */
export const ResetPage: FC<{ page: PageContext; message?: string | null; username?: string; token?: string }> = ({
  page,
  message,
  username,
  token,
}) => (
  <Layout page={page} title={page.t("title.reset")} scripts={["reset.js"]}>
    <Notice text={message} error />
    <noscript>
      <p class="message error">{page.t("reset.needsScript")}</p>
    </noscript>
    <p class="message error" id="reset-no-link" hidden>
      {page.t("reset.noLink")}
    </p>
    <PageForm page={page} action="/reset" id="reset-form" hidden>
      <p>
        {page.t("reset.intro")} <strong id="reset-username-shown">{username}</strong>
      </p>
      <input type="hidden" name="username" id="reset-username" value={username ?? ""} />
      <input type="hidden" name="resetToken" id="reset-token" value={token ?? ""} />
      <Field label={page.t("field.newPassword")} name="newPassword" type="password" autocomplete="new-password" />
      <button type="submit">{page.t("action.changePassword")}</button>
    </PageForm>
  </Layout>
);

/** A page that only says something (done, an error), with an optional link onwards. */
export const MessagePage: FC<{
  page: PageContext;
  title: string;
  text: string;
  error?: boolean;
  link?: { href: string; text: string };
  closeWindow?: boolean;
}> = ({ page, title, text, error, link, closeWindow }) => (
  <Layout page={page} title={title} scripts={closeWindow ? ["close.js"] : []}>
    <Notice text={text} error={error} />
    {link ? (
      <p class="links">
        <a href={link.href}>{link.text}</a>
      </p>
    ) : null}
  </Layout>
);
