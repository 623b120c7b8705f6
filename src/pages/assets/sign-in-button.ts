/**
 * The official client's sign-in button (`pryv.Browser` loads these three from
 * the service assets): the HTML must hold `#pryv-access-btn-text`, where the
 * client writes its state; messages are `{KEY: {languageCode: text}}`.
 */
export const BUTTON_HTML = `<span id="pryv-access-btn" class="pryv-access-btn-signin" role="button" tabindex="0"><span class="pryv-access-btn-logo" aria-hidden="true">P</span><span id="pryv-access-btn-text" class="pryv-access-btn-text"></span></span>`;

export const BUTTON_CSS = `.pryv-access-btn-signin {
  display: inline-flex;
  align-items: stretch;
  font: 600 14px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #fff;
  background: #1f4e79;
  border: 1px solid #163a5a;
  border-radius: 4px;
  cursor: pointer;
  user-select: none;
  white-space: nowrap;
}
.pryv-access-btn-signin:hover { background: #163a5a; }
.pryv-access-btn-signin:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.pryv-access-btn-logo {
  display: inline-flex;
  align-items: center;
  padding: 6px 10px;
  font-weight: 800;
  border-right: 1px solid rgba(255, 255, 255, 0.35);
}
.pryv-access-btn-text { display: inline-flex; align-items: center; padding: 6px 12px; }
`;

export const BUTTON_MESSAGES = {
  LOADING: { en: "…", fr: "…" },
  ERROR: { en: "Error", fr: "Erreur" },
  LOGIN: { en: "Sign in", fr: "Se connecter" },
  SIGNOUT_CONFIRM: { en: "Sign out?", fr: "Se déconnecter ?" },
  LOGOUT_CONFIRM: { en: "Sign out?", fr: "Se déconnecter ?" },
};
