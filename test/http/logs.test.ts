/**
 * Personal data stays out of logs: a failing call is logged by method id,
 * error id and correlation id only — never its parameters, values or SQL.
 */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BASE, post, put } from "../helpers/api";
import { createUser } from "../helpers/users";

const MARKER = "marker-7f3a9c-personal";

function captureLogs() {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a))).join(" "));
    });
  }
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe("logs", () => {
  it("a call failing inside storage logs ids only, and the client gets the same correlation id", async () => {
    const user = await createUser();
    const lines = captureLogs();
    // A storage fault on the write path: the profile table is briefly gone.
    await env.DB.exec("ALTER TABLE profiles RENAME TO profiles_away");
    let res: Response;
    try {
      res = await SELF.fetch(`${BASE}/${user.username}/profile/private`, {
        method: "PUT",
        headers: { Authorization: user.token, "Content-Type": "application/json" },
        body: JSON.stringify({ note: `${MARKER} ${"x".repeat(10_000)}` }),
      });
    } finally {
      await env.DB.exec("ALTER TABLE profiles_away RENAME TO profiles");
    }
    const body = (await res.json()) as any;
    expect(res.status).toBe(500);
    expect(body.error.id).toBe("unexpected-error");
    expect(JSON.stringify(body)).not.toContain(MARKER);
    const correlationId = body.error.data.correlationId as string;
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);

    const logged = lines.join("\n");
    expect(logged).toContain(correlationId);
    expect(logged).toContain("profile.update");
    expect(logged).not.toContain(MARKER);
    expect(logged).not.toMatch(/insert into|select .+ from|update "?profiles|"profiles"/i); // no SQL
    expect(lines.every((line) => line.length < 500)).toBe(true);
  });

  it("refused calls carrying personal data log nothing", async () => {
    const user = await createUser();
    const lines = captureLogs();
    await post(`/${user.username}/events`, { streamIds: ["nowhere"], type: "note/txt", content: MARKER }, { token: user.token });
    await post(`/${user.username}/streams`, { name: MARKER, parentId: "nowhere" }, { token: user.token });
    await put(`/${user.username}/profile/private`, { [MARKER]: "\ud800" }, { token: user.token });
    await post(`/${user.username}/auth/login`, { username: user.username, password: MARKER, appId: "test-app-id" });
    expect(lines.join("\n")).not.toContain(MARKER);
  });
});
