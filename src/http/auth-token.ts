/**
 * Where a Pryv access token can come from: the `Authorization` header (raw
 * token, or HTTP Basic with the token as user name, which is what a
 * `https://{token}@host/` endpoint turns into) or the `auth` query parameter.
 */
export function readToken(request: Request): string | null {
  const header = request.headers.get("Authorization")?.trim();
  if (header) {
    const basic = /^Basic\s+(.+)$/i.exec(header);
    if (basic?.[1]) {
      try {
        const decoded = atob(basic[1]);
        const user = decoded.split(":")[0];
        return user ? decodeURIComponent(user) : null;
      } catch {
        return null;
      }
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(header);
    return bearer?.[1] ?? header;
  }
  const query = new URL(request.url).searchParams.get("auth");
  return query || null;
}
