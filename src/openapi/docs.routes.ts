/**
 * `GET /docs` (and `/reg/docs`): the interactive reference of /openapi.json,
 * Swagger UI served by the Worker itself — no asset from another host, a CSP
 * allowing only this origin. Swagger UI rather than Scalar: its one-file
 * bundle (1.7 MB, ~0.5 MB gzip, carried by the Worker) is about half of
 * Scalar's standalone one, needs no inline script or outside font, runs
 * "try it out" against the document's servers, reads OpenAPI 3.1, and is
 * widely maintained.
 */
import { Hono } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "../http/app-env";
import { SWAGGER_UI_CSS, SWAGGER_UI_JS } from "./docs-assets";

export const docsRoutes = new Hono<AppEnv>();

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

const page = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>`;

// The document is next to the page (`/openapi.json` for `/docs`, `/reg/openapi.json` for `/reg/docs`);
// no validator badge (it would call validator.swagger.io).
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: new URL("openapi.json", location.href).href,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: "none",
  tryItOutEnabled: false,
  persistAuthorization: false,
});
`;

const headers = (contentType: string) => ({
  "Content-Type": contentType,
  "Content-Security-Policy": CSP,
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
});

for (const prefix of ["", "/reg"]) {
  docsRoutes.get(`${prefix}/docs`, (c) =>
    c.body(page(`${getConfig(c.env).service.name} API reference`), 200, { ...headers("text/html; charset=utf-8"), "Cache-Control": "no-cache" }),
  );
  const asset = (body: string, type: string) => (c: { body: (b: string, s: 200, h: Record<string, string>) => Response }) =>
    c.body(body, 200, { ...headers(type), "Cache-Control": "public, max-age=86400" });
  docsRoutes.get(`${prefix}/docs/swagger-ui.css`, (c) => asset(SWAGGER_UI_CSS, "text/css; charset=utf-8")(c));
  docsRoutes.get(`${prefix}/docs/swagger-ui-bundle.js`, (c) => asset(SWAGGER_UI_JS, "text/javascript; charset=utf-8")(c));
  docsRoutes.get(`${prefix}/docs/init.js`, (c) => asset(INIT_JS, "text/javascript; charset=utf-8")(c));
}
