/**
 * Swagger UI's files, bundled with the Worker as text (wrangler.toml's
 * `[[rules]] type = "Text"` names them), served by docs.routes.ts. Imported by
 * relative path: wrangler matches its rules' globs against the import as
 * written, and a bare `swagger-ui-dist/…` would be bundled as code instead.
 */
// @ts-ignore: a Text module (wrangler rule), no declaration
import bundle from "../../node_modules/swagger-ui-dist/swagger-ui-bundle.js";
// @ts-ignore: a Text module (wrangler rule), no declaration
import css from "../../node_modules/swagger-ui-dist/swagger-ui.css";

export const SWAGGER_UI_JS: string = bundle as string;
export const SWAGGER_UI_CSS: string = css as string;
