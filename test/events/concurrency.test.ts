import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { post } from "../helpers/api";
import { createStream, getEvents, ids } from "../helpers/data";
import { createUser } from "../helpers/users";

describe("concurrent writes on one account", () => {
  it("200 concurrent creates: none lost, none duplicated, strictly increasing modified and serial", async () => {
    const user = await createUser();
    await createStream(user, { id: "load", name: "Load" });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(`/${user.username}/events`, { streamIds: ["load"], type: "count/generic", content: i, time: 5000 }, { token: user.token }),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const created = results.map((r) => r.body.event as { id: string; content: number });
    expect(new Set(created.map((e) => e.id)).size).toBe(200);
    expect(new Set(created.map((e) => e.content)).size).toBe(200);

    const listed = (await getEvents(user, { streams: "load", fromTime: 0, toTime: 10_000 })).events;
    expect(ids(listed).sort()).toEqual(ids(created).sort());

    const { results: rows } = await env.DB.prepare(
      "SELECT e.modified, e.serial FROM events e JOIN users u ON u.id = e.user_id WHERE u.username = ? AND e.id NOT LIKE ':%' ORDER BY e.serial",
    )
      .bind(user.username)
      .all<{ modified: number; serial: number }>();
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.serial).toBeGreaterThan(rows[i - 1]!.serial);
      expect(rows[i]!.modified).toBeGreaterThan(rows[i - 1]!.modified);
    }
  });
});
