/** The drizzle tables (src/db/schema.ts) and the SQL migrations describe the same columns. */
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema";

const tables = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable => is(t, SQLiteTable));

describe("db schema", () => {
  it("covers every table the migrations create", async () => {
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'",
    ).all<{ name: string }>();
    expect(results.map((r) => r.name).sort()).toEqual(tables.map((t) => getTableConfig(t).name).sort());
  });

  for (const table of tables) {
    const config = getTableConfig(table);
    it(`${config.name}: same columns, types, nullability`, async () => {
      const { results } = await env.DB.prepare(`PRAGMA table_info(${config.name})`).all<{
        name: string;
        type: string;
        notnull: number;
        pk: number;
      }>();
      // An INTEGER PRIMARY KEY is the rowid: never null, though PRAGMA reports notnull = 0.
      const rowid = (c: { type: string; pk: number }) => c.pk === 1 && c.type.toLowerCase() === "integer";
      const actual = results
        .map((c) => ({ name: c.name, type: c.type.toLowerCase(), notNull: c.notnull === 1 || rowid(c) }))
        .sort((a, b) => a.name.localeCompare(b.name));
      const declared = config.columns
        .map((c) => ({ name: c.name, type: c.getSQLType().toLowerCase(), notNull: c.notNull || c.primary }))
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(actual).toEqual(declared);
    });
  }
});
