/**
 * Hardening item 4: `includeHistory` shows a past version only to a token
 * that may read that version's streams (the check events.getOne makes for the
 * current version): an event moved out of `secret` keeps its old version from
 * a token that reads only where it is now.
 */
import { describe, expect, it } from "vitest";
import { del, get, put } from "../helpers/api";
import { createEvent, createStream } from "../helpers/data";
import { healthAndSecret, shareToken } from "../helpers/leaks-sharing";
import { createUser } from "../helpers/users";

const SECRET_CONTENT = "diagnosis: very private";

async function movedOutOfSecret() {
  const user = await createUser();
  await healthAndSecret(user);
  const event = await createEvent(user, { streamIds: ["secret"], content: SECRET_CONTENT });
  const t = { token: user.token };
  expect((await put(`/${user.username}/events/${event.id}`, { streamIds: ["health"], content: "checkup" }, t)).status).toBe(200);
  expect((await put(`/${user.username}/events/${event.id}`, { content: "checkup done" }, t)).status).toBe(200);
  return { user, event };
}

const historyOf = async (username: string, id: string, token: string) => {
  const res = await get(`/${username}/events/${id}`, { token, query: { includeHistory: true } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { event: { content: unknown }; history: { streamIds: string[]; content: unknown }[] };
};

describe("events.getOne includeHistory", () => {
  it("leaves out the versions a shared token may not read, keeps those it may", async () => {
    const { user, event } = await movedOutOfSecret();
    const doctor = await shareToken(user, [{ streamId: "health", level: "read" }]);
    const body = await historyOf(user.username, event.id, doctor);
    expect(body.event.content).toBe("checkup done");
    expect(JSON.stringify(body)).not.toContain(SECRET_CONTENT);
    expect(body.history.map((v) => v.content)).toEqual(["checkup"]);
  });

  it("judges a version filed in a stream deleted since where that stream was, not by `*` alone", async () => {
    const user = await createUser();
    await healthAndSecret(user);
    await createStream(user, { name: "HIV positive 2026", parentId: "secret" });
    const event = await createEvent(user, { streamIds: ["hiv-positive-2026"], content: SECRET_CONTENT });
    const t = { token: user.token };
    expect((await put(`/${user.username}/events/${event.id}`, { streamIds: ["health"], content: "checkup" }, t)).status).toBe(200);
    for (let step = 0; step < 2; step++) expect((await del(`/${user.username}/streams/hiv-positive-2026`, t)).status).toBe(200);
    const everythingButSecret = await shareToken(user, [{ streamId: "*", level: "read" }, { streamId: "secret", level: "none" }]);
    expect((await historyOf(user.username, event.id, everythingButSecret)).history).toEqual([]);
    expect((await historyOf(user.username, event.id, user.token)).history.map((v) => v.content)).toEqual([SECRET_CONTENT]);
  });

  it("shows every version to the personal token, and to a token reading both streams", async () => {
    const { user, event } = await movedOutOfSecret();
    const both = await shareToken(user, [{ streamId: "health", level: "read" }, { streamId: "secret", level: "read" }]);
    for (const token of [user.token, both]) {
      const body = await historyOf(user.username, event.id, token);
      expect(body.history.map((v) => v.content)).toEqual([SECRET_CONTENT, "checkup"]);
    }
  });
});
