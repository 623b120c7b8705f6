/** Direct looks at (and set-ups of) D1 state, for what HTTP cannot show or reach quickly. */
import { env } from "cloudflare:workers";

export async function userRow(username: string) {
  return env.DB.prepare("SELECT * FROM users WHERE username = ?").bind(username).first<Record<string, any>>();
}

export async function accessRows(username: string) {
  const { results } = await env.DB.prepare(
    "SELECT a.* FROM accesses a JOIN users u ON u.id = a.user_id WHERE u.username = ? ORDER BY a.created",
  )
    .bind(username)
    .all<Record<string, any>>();
  return results;
}

/** Every account-owned row of one user (one D1 round trip): "nothing changed" checks compare two of these. */
export async function accountSnapshot(username: string) {
  const user = await userRow(username);
  if (!user) return null;
  const tables = ["accesses", "profiles", "events", "event_streams", "streams", "event_history", "event_scope_changes", "followed_slices", "mfa", "password_resets"];
  const answers = await env.DB.batch(
    tables.map((table) => env.DB.prepare(`SELECT * FROM ${table} WHERE user_id = ? ORDER BY 1, 2`).bind(user.id)),
  );
  const snapshot: Record<string, unknown> = { user };
  tables.forEach((table, i) => {
    // Session and usage bookkeeping moves on every call, refused ones included: not "data" here.
    snapshot[table] = (answers[i]!.results as Record<string, unknown>[]).map(({ last_used, session_expires, calls, ...rest }) => rest);
  });
  return snapshot;
}

export async function run(sql: string, ...params: unknown[]) {
  return env.DB.prepare(sql).bind(...params).run();
}

/**
 * Inserts an access directly (for tests that need app/shared tokens before
 * going through accesses.create). Returns its token.
 */
export async function insertAccess(
  username: string,
  type: "personal" | "app" | "shared",
  name = `${type}-access-${crypto.randomUUID().slice(0, 8)}`,
  permissions: unknown[] = [{ streamId: "*", level: "read" }],
  deviceName: string | null = null,
): Promise<string> {
  const token = crypto.randomUUID().replaceAll("-", "");
  const now = Date.now() / 1000;
  await run(
    `INSERT INTO accesses (user_id, id, token, type, name, device_name, permissions, session_expires, created, created_by, modified, modified_by)
     SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, 'test', ?, 'test' FROM users WHERE username = ?`,
    `c${token.slice(0, 24)}`,
    token,
    type,
    name,
    deviceName,
    JSON.stringify(permissions),
    type === "personal" ? now + 3600 : null,
    now,
    now,
    username,
  );
  return token;
}

/**
 * `env.DB` recording each statement's text and parameters as it is bound (prepared through drizzle or not):
 * what a query function really sends to D1.
 */
export function recordingD1(statements: [string, unknown[]][]): D1Database {
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare") {
        return (text: string) => {
          const stmt = target.prepare(text);
          statements.push([text, []]);
          const entry = statements[statements.length - 1]!;
          return new Proxy(stmt, {
            get(s, p) {
              if (p === "bind") return (...values: unknown[]) => ((entry[1] = values), s.bind(...values));
              const value = Reflect.get(s, p, s) as unknown;
              return typeof value === "function" ? value.bind(s) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
