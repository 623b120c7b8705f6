/**
 * The service assets (`serviceInfo.assets.definitions` names index.json):
 * the pages' stylesheet and scripts, the favicon, and the sign-in button the
 * official `pryv` client renders (`lib-js:buttonSignIn`). Kept as strings so
 * they bundle with the Worker without loader rules. Paths in index.json are
 * relative to it, as the client resolves them.
 */
import { BUTTON_CSS, BUTTON_HTML, BUTTON_MESSAGES } from "./sign-in-button";
import { PAGES_CSS } from "./style";

const INDEX = {
  baseUrl: null,
  favicon: { default: { url: "favicon.svg" } },
  css: { default: { url: "style.css" } },
  "lib-js": {
    buttonSignIn: {
      css: "lib-js/buttonSignIn.css",
      html: "lib-js/buttonSignIn.html",
      messages: "lib-js/buttonSignInMessages.json",
    },
  },
};

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f4e79"/><path d="M11 25V7h6.5a5.5 5.5 0 0 1 0 11H15v7z" fill="#fff"/><circle cx="17.3" cy="12.5" r="2" fill="#1f4e79"/></svg>`;

/**
 * The reset link carries the username and token in its fragment (never sent to a server): this copies them
 * into the form, then removes them from the address bar and history.
 */
const RESET_JS = `(function () {
  var params = new URLSearchParams(location.hash.slice(1));
  var username = params.get("username");
  var token = params.get("token");
  var form = document.getElementById("reset-form");
  if (!form) return;
  if (username && token) {
    document.getElementById("reset-username").value = username;
    document.getElementById("reset-token").value = token;
    document.getElementById("reset-username-shown").textContent = username;
    form.hidden = false;
    history.replaceState(null, "", location.pathname + location.search);
  } else if (!document.getElementById("reset-username").value) {
    document.getElementById("reset-no-link").hidden = false;
  } else {
    form.hidden = false;
  }
})();
`;

/** A popup the app opened closes itself once the request is answered (the page says so otherwise). */
const CLOSE_JS = `if (window.opener) setTimeout(function () { window.close(); }, 1500);\n`;

export interface AssetFile {
  type: string;
  body: string;
}

export const ASSET_FILES: Record<string, AssetFile> = {
  "index.json": { type: "application/json; charset=utf-8", body: JSON.stringify(INDEX, null, 2) },
  "favicon.svg": { type: "image/svg+xml", body: FAVICON },
  "style.css": { type: "text/css; charset=utf-8", body: PAGES_CSS },
  "reset.js": { type: "text/javascript; charset=utf-8", body: RESET_JS },
  "close.js": { type: "text/javascript; charset=utf-8", body: CLOSE_JS },
  "lib-js/buttonSignIn.css": { type: "text/css; charset=utf-8", body: BUTTON_CSS },
  "lib-js/buttonSignIn.html": { type: "text/html; charset=utf-8", body: BUTTON_HTML },
  "lib-js/buttonSignInMessages.json": { type: "application/json; charset=utf-8", body: JSON.stringify(BUTTON_MESSAGES, null, 2) },
};
