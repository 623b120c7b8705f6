/** @jsxImportSource hono/jsx */
/** The frame of every page: language, viewport, the stylesheet, no inline script or style. */
import type { Child, FC, PropsWithChildren } from "hono/jsx";
import type { Language, Translate } from "./i18n";

/** What every view needs from the request. */
export interface PageContext {
  lang: Language;
  t: Translate;
  serviceName: string;
  /** Absolute base URL of the assets (`…/assets/`). */
  assets: string;
  /** The pages' base URL (the auth URL). */
  base: string;
  /** This browser's CSRF token, for the forms. */
  csrf: string;
}

export const Layout: FC<PropsWithChildren<{ page: PageContext; title: string; scripts?: string[] }>> = ({
  page,
  title,
  scripts = [],
  children,
}) => (
  <html lang={page.lang}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} – ${page.serviceName}`}</title>
      <link rel="stylesheet" href={`${page.assets}style.css`} />
      <link rel="icon" href={`${page.assets}favicon.svg`} type="image/svg+xml" />
      {scripts.map((name) => (
        <script src={`${page.assets}${name}`} defer></script>
      ))}
    </head>
    <body>
      <main>
        <p class="service">{page.serviceName}</p>
        <div class="card">
          <h1>{title}</h1>
          {children}
        </div>
      </main>
    </body>
  </html>
);

/** A POST form of the pages, with the CSRF token and the language carried along. */
export const PageForm: FC<PropsWithChildren<{ page: PageContext; action: string; id?: string; hidden?: boolean }>> = ({
  page,
  action,
  id,
  hidden,
  children,
}) => (
  <form method="post" action={`${page.base}${action}`} id={id} hidden={hidden}>
    <input type="hidden" name="csrf" value={page.csrf} />
    <input type="hidden" name="lang" value={page.lang} />
    {children}
  </form>
);

export const Hidden: FC<{ name: string; value: string | null | undefined }> = ({ name, value }) =>
  value ? <input type="hidden" name={name} value={value} /> : null;

export const Notice: FC<{ text?: string | null; error?: boolean }> = ({ text, error }) =>
  text ? (
    <p class={error ? "message error" : "message"} role={error ? "alert" : "status"}>
      {text}
    </p>
  ) : null;

export const Field: FC<{
  label: string;
  name: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  required?: boolean;
  id?: string;
}> = ({ label, name, type = "text", value, autocomplete, required = true, id }) => (
  <>
    <label for={id ?? `field-${name}`}>{label}</label>
    <input
      id={id ?? `field-${name}`}
      name={name}
      type={type}
      value={value}
      autocomplete={autocomplete}
      required={required}
      autocapitalize="none"
      spellcheck={false}
    />
  </>
);

/** `<!DOCTYPE html>` and the rendered page. */
export function renderPage(element: Child): string {
  return `<!DOCTYPE html>${String(element)}`;
}
