/**
 * Names no account may take: the paths this service routes itself (in DNS-less
 * mode `/{username}/` shares the root with them), host names of subdomain mode,
 * and names that would let an account pass for the operator. Operators add
 * their own with RESERVED_USERNAMES.
 */
const BUILT_IN = new Set([
  "access", "account", "accounts", "admin", "administrator", "api", "apps", "assets", "auth", "bench", "billing",
  "cdn", "config", "core", "cores", "dashboard", "default", "dns", "docs", "favicon.ico", "ftp", "help",
  "hostmaster", "hostings", "imap", "info", "localhost", "login", "logout", "mail", "mfa", "noreply",
  "no-reply", "oauth", "oauth2", "openapi.json", "postmaster", "reg", "register", "registration", "root", "security",
  "service", "services", "signin", "signup", "sso", "static", "status", "support", "sys", "system",
  "test", "user", "users", "webmaster", "well-known", "www",
]);

export function isReservedUsername(username: string, extra: readonly string[]): boolean {
  const name = username.toLowerCase();
  return name.startsWith("pryv") || BUILT_IN.has(name) || extra.includes(name);
}
