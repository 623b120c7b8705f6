/** The pages' stylesheet (also the service's default CSS in index.json): readable on a phone, visible focus. */
export const PAGES_CSS = `*, *::before, *::after { box-sizing: border-box; }
:root { color-scheme: light; --accent: #1f4e79; --accent-dark: #163a5a; --danger: #a4262c; --muted: #555; }
body {
  margin: 0;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1b1b1b;
  background: #f4f6f8;
}
main { max-width: 28rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.card { background: #fff; border-radius: 8px; padding: 1.25rem; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.12); }
.service { margin: 0 0 0.25rem; color: var(--muted); font-size: 0.9rem; }
h1 { margin: 0 0 1rem; font-size: 1.5rem; line-height: 1.25; }
label { display: block; margin: 0.75rem 0 0.25rem; font-weight: 600; }
input[type="text"], input[type="password"], input[type="email"] {
  width: 100%;
  padding: 0.6rem 0.7rem;
  font: inherit;
  border: 1px solid #8a8f98;
  border-radius: 4px;
}
input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
button {
  display: inline-block;
  min-height: 2.75rem;
  padding: 0.6rem 1.2rem;
  margin-top: 1rem;
  font: inherit;
  font-weight: 600;
  color: #fff;
  background: var(--accent);
  border: 1px solid var(--accent-dark);
  border-radius: 4px;
  cursor: pointer;
}
button:hover { background: var(--accent-dark); }
button.secondary { color: var(--accent); background: #fff; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; }
.actions form { margin: 0; }
.links { margin-top: 1.25rem; display: flex; flex-wrap: wrap; gap: 1rem; }
a { color: var(--accent); }
.message { padding: 0.75rem; border-radius: 4px; background: #e8f1fb; }
.message.error { background: #fbe9ea; color: var(--danger); }
.badge { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600; }
.badge.verified { background: #e3f4e8; color: #1c6b34; }
.badge.unverified { background: #fff4d6; color: #7a5300; }
.app-name { font-size: 1.15rem; font-weight: 700; margin: 0 0 0.25rem; }
ul.permissions { padding-left: 1.2rem; }
ul.permissions li { margin: 0.35rem 0; }
.note { color: var(--muted); font-size: 0.95rem; }
`;
