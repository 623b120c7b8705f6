/** The admin API's directory routes: users (all, streamed; paging on request; HTML), servers, rename. */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { expectError, get, TEST_ADMIN_KEY } from "../helpers/api";
import { createUser } from "../helpers/users";

const ADMIN = { headers: { Authorization: TEST_ADMIN_KEY } };
const BULK = 150;

/** Directory entries of a core that is not this node (the register lists every core's users). */
async function insertEntries(core: string, count: number, prefix: string) {
  const created = 1_700_000_000;
  await env.DB.batch(
    Array.from({ length: count }, (_, i) =>
      env.DB.prepare("INSERT INTO directory (username, email, core, status, created) VALUES (?, ?, ?, 'active', ?)").bind(
        `${prefix}-${String(i).padStart(3, "0")}`,
        `${prefix}-${i}@example.com`,
        core,
        created + i,
      ),
    ),
  );
}

beforeAll(async () => {
  await insertEntries("bulk-core", BULK, "bulk-user");
  await insertEntries("rename-src", 3, "moving-user");
  // A reservation in progress is no user yet.
  await env.DB.prepare(
    "INSERT INTO directory (username, email, core, status, reserved_until, created) VALUES ('half-way-user', 'half@example.com', 'bulk-core', 'reserved', ?, ?)",
  )
    .bind(Date.now() / 1000 + 600, Date.now() / 1000)
    .run();
});

describe("GET /reg/admin/users", () => {
  it("lists every user, streamed, without a silent cap", async () => {
    const local = await createUser();
    const res = await get("/reg/admin/users", ADMIN);
    expect(res.status).toBe(200);
    const names = res.body.users.map((u: { username: string }) => u.username);
    expect(names.length).toBeGreaterThanOrEqual(BULK + 1);
    for (let i = 0; i < BULK; i++) expect(names).toContain(`bulk-user-${String(i).padStart(3, "0")}`);
    expect(names).toContain(local.username);
    expect(names).not.toContain("half-way-user");
    expect(res.body.users.find((u: { username: string }) => u.username === local.username)).toMatchObject({
      email: local.email,
      core: "local",
      created: expect.any(Number),
    });
    expect(res.body.total).toBeUndefined(); // no paging asked: no page
    expect(JSON.stringify(res.body)).not.toMatch(/pbkdf2|password/);
  });

  it("pages only when asked: limit and skip, with the total", async () => {
    const all = (await get("/reg/admin/users", ADMIN)).body.users.map((u: { username: string }) => u.username);
    const first = await get("/reg/admin/users", { ...ADMIN, query: { limit: 50 } });
    expect(first.body).toMatchObject({ total: all.length, limit: 50, skip: 0 });
    expect(first.body.users.map((u: { username: string }) => u.username)).toEqual(all.slice(0, 50));
    const last = await get("/reg/admin/users", { ...ADMIN, query: { limit: 50, skip: all.length - 10 } });
    expect(last.body.users.map((u: { username: string }) => u.username)).toEqual(all.slice(-10));
    const badQueries: Record<string, string | number>[] = [{ limit: 0 }, { limit: 1001 }, { skip: -1 }, { limit: "many" }, { toHTML: "yes" }];
    for (const query of badQueries) {
      expectError(await get("/reg/admin/users", { ...ADMIN, query }), 400, "invalid-parameters-format");
    }
  });

  it("toHTML=true renders a table, every value escaped", async () => {
    await env.DB.prepare("INSERT INTO directory (username, email, core, status, created) VALUES ('html-user', ?, 'local', 'active', 1)")
      .bind(`<script>alert(1)</script>"'&@example.com`)
      .run();
    const res = await get("/reg/admin/users", { ...ADMIN, query: { toHTML: "true" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = res.body as string;
    expect(html).toContain("<table>");
    expect(html).toContain("bulk-user-149");
    expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;@example.com");
    expect(html).not.toContain("<script>");
    expectError(await get("/reg/admin/users", { query: { toHTML: "true" } }), 401, "invalid-access-token");
  });
});

describe("GET /reg/admin/users/{username}", () => {
  it("answers the entry; unknown → 404; HTML on request", async () => {
    expect((await get("/reg/admin/users/bulk-user-007", ADMIN)).body.user).toMatchObject({
      username: "bulk-user-007",
      core: "bulk-core",
      email: "bulk-user-7@example.com",
    });
    expectError(await get("/reg/admin/users/half-way-user", ADMIN), 404, "unknown-resource");
    expectError(await get("/reg/admin/users/no-such-user-zz", ADMIN), 404, "unknown-resource");
    const html = await get("/reg/admin/users/bulk-user-007", { ...ADMIN, query: { toHTML: "true" } });
    expect(html.headers.get("Content-Type")).toMatch(/^text\/html/);
  });
});

describe("GET /reg/admin/servers…", () => {
  it("counts users per core", async () => {
    const res = await get("/reg/admin/servers", ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.servers).toMatchObject({ "bulk-core": BULK, "rename-src": 3 });
  });

  it("lists one core's users; an invalid name is 400", async () => {
    const res = await get("/reg/admin/servers/bulk-core/users", ADMIN);
    expect(res.body.users).toHaveLength(BULK);
    expect(res.body.users.every((u: { core: string }) => u.core === "bulk-core")).toBe(true);
    expect((await get("/reg/admin/servers/no-such-core/users", ADMIN)).body.users).toEqual([]);
    expectError(await get("/reg/admin/servers/Not_A_Core/users", ADMIN), 400, "invalid-parameters-format");
  });

  it("renames a core: returns the count, moves the entries; invalid names are 400 and change nothing", async () => {
    expectError(await get("/reg/admin/servers/rename-src/rename/Bad%20Name", ADMIN), 400, "invalid-parameters-format");
    expectError(await get("/reg/admin/servers/-bad/rename/rename-dst", ADMIN), 400, "invalid-parameters-format");
    expect((await get("/reg/admin/servers", ADMIN)).body.servers["rename-src"]).toBe(3);
    const res = await get("/reg/admin/servers/rename-src/rename/rename-dst", ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(3);
    const servers = (await get("/reg/admin/servers", ADMIN)).body.servers;
    expect(servers["rename-dst"]).toBe(3);
    expect(servers["rename-src"]).toBeUndefined();
    expect((await get("/reg/admin/users/moving-user-000", ADMIN)).body.user.core).toBe("rename-dst");
    expect((await get("/reg/admin/servers/rename-src/rename/rename-dst", ADMIN)).body.count).toBe(0);
  });
});

describe("admin directory routes refuse a missing or wrong key", () => {
  const routes = [
    "/reg/admin/users",
    "/reg/admin/users/bulk-user-001",
    "/reg/admin/servers",
    "/reg/admin/servers/bulk-core/users",
    "/reg/admin/servers/bulk-core/rename/other-core",
  ];
  it.each(routes)("%s", async (path) => {
    expectError(await get(path), 401, "invalid-access-token");
    expectError(await get(path, { headers: { Authorization: `${TEST_ADMIN_KEY}x` } }), 403, "forbidden");
    expect((await get(path, { headers: { Authorization: `${TEST_ADMIN_KEY}x` } })).headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
  it("nothing was renamed by the refused calls", async () => {
    expect((await get("/reg/admin/servers", ADMIN)).body.servers["bulk-core"]).toBe(BULK);
  });
});
