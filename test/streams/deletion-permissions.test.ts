/**
 * Hardening item 5 (streams): `includeDeletionsSince` lists a stream's
 * deletion only to a token that could see the stream where it was — its own
 * permission, else its nearest former ancestor's, else `*` — as recorded with
 * the deletion record. The personal token sees every deletion.
 */
import { describe, expect, it } from "vitest";
import { del, get } from "../helpers/api";
import { createStream, ids } from "../helpers/data";
import { run } from "../helpers/db";
import { healthAndSecret, shareToken } from "../helpers/leaks-sharing";
import { createUser, type TestUser } from "../helpers/users";

/** Trash, then delete (with the events, there are none). */
async function deleteStream(user: TestUser, id: string) {
  for (let step = 0; step < 2; step++) {
    const res = await del(`/${user.username}/streams/${id}`, { token: user.token, query: { mergeEventsWithParent: false } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

async function deletionIds(user: TestUser, token: string) {
  const res = await get(`/${user.username}/streams`, { token, query: { includeDeletionsSince: 0 } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ids(res.body.streamDeletions as { id: string }[]).sort();
}

/** health → (old-notes → older-notes, private); secret → hiv-positive-2026; misc; all but health and secret deleted. */
async function accountWithDeletions() {
  const user = await createUser();
  await healthAndSecret(user);
  await createStream(user, { name: "Old notes", parentId: "health" });
  await createStream(user, { name: "Older notes", parentId: "old-notes" });
  await createStream(user, { name: "Private", parentId: "health" });
  await createStream(user, { name: "HIV positive 2026", parentId: "secret" });
  await createStream(user, { name: "Misc" });
  for (const id of ["old-notes", "private", "hiv-positive-2026", "misc"]) await deleteStream(user, id);
  return user;
}

describe("streams.get includeDeletionsSince", () => {
  it("lists to a shared token only the deletions of streams it could see where they were", async () => {
    const user = await accountWithDeletions();
    const doctor = await shareToken(user, [{ streamId: "health", level: "read" }, { streamId: "private", level: "none" }]);
    expect(await deletionIds(user, doctor)).toEqual(["old-notes", "older-notes"]);
    const secretKeeper = await shareToken(user, [{ streamId: "hiv-positive-2026", level: "read" }]);
    expect(await deletionIds(user, secretKeeper)).toEqual(["hiv-positive-2026"]);
    // `*` reaches the former root `misc` and, through its former ancestor, `hiv-positive-2026`; the mask holds.
    const everything = await shareToken(user, [{ streamId: "*", level: "read" }, { streamId: "secret", level: "none" }]);
    expect(await deletionIds(user, everything)).toEqual(["misc", "old-notes", "older-notes", "private"]);
  });

  it("lists every deletion to the personal token", async () => {
    const user = await accountWithDeletions();
    expect(await deletionIds(user, user.token)).toEqual(["hiv-positive-2026", "misc", "old-notes", "older-notes", "private"]);
  });

  it("keeps deletion records without a recorded place (older than the record) for the personal token", async () => {
    const user = await createUser();
    await healthAndSecret(user);
    await run(
      `INSERT INTO streams (user_id, id, modified, serial, deleted) SELECT id, 'legacy-deleted', 1, 0, 1 FROM users WHERE username = ?`,
      user.username,
    );
    const everything = await shareToken(user, [{ streamId: "*", level: "manage" }]);
    expect(await deletionIds(user, everything)).toEqual([]);
    expect(await deletionIds(user, user.token)).toEqual(["legacy-deleted"]);
  });
});
