import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, del, expectError, get, post, request, TEST_ADMIN_KEY } from "../helpers/api";
import { accountSnapshot, userRow } from "../helpers/db";
import { createStream } from "../helpers/data";
import { bytes, download, eventForm, objectsOf, settleObjects, sha256, upload } from "../helpers/files";
import { createUser, type TestUser } from "../helpers/users";

async function withDiary(): Promise<TestUser> {
  const user = await createUser();
  await createStream(user, { id: "diary", name: "Diary" });
  return user;
}

const note = { streamIds: ["diary"], type: "picture/attached" };

describe("uploads", () => {
  it("creates an event with files: attachments with id, fileName, type, size, readToken and the integrity of the bytes", async () => {
    const user = await withDiary();
    const png = bytes(14_798, 7);
    const res = await upload(`/${user.username}/events`, eventForm(note, [{ data: png, name: "Y.png", type: "image/png" }, { data: "Hello", name: "Hello.txt", type: "text/plain" }]), user.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [image, text] = res.body.event.attachments;
    expect(image).toEqual({ id: expect.stringMatching(/^c[a-z0-9]{24}$/), fileName: "Y.png", type: "image/png", size: 14_798, integrity: await sha256(png), readToken: expect.stringMatching(/^c[a-z0-9]{24}-[\w-]{32}$/) });
    expect(text).toMatchObject({ fileName: "Hello.txt", type: "text/plain", size: 5 });
    expect(await objectsOf(user.username)).toHaveLength(2);
    // The attachments are part of the event for every reader, and of its integrity.
    const again = (await get(`/${user.username}/events/${res.body.event.id}`, { token: user.token })).body.event;
    expect(again.attachments.map((a: { id: string }) => a.id)).toEqual([image.id, text.id]);
    expect((await get(`/${user.username}/account`, { token: user.token })).body.account.storageUsed.attachedFiles).toBe(14_803);
  });

  it("takes the event part in any position, and a large file through R2 multipart upload", async () => {
    const user = await withDiary();
    const big = bytes(12 * 1024 * 1024 + 123, 3);
    const form = new FormData();
    form.append("file", new Blob([big], { type: "application/octet-stream" }), "big.bin");
    form.append("anything", JSON.stringify(note));
    const res = await upload(`/${user.username}/events`, form, user.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const [attachment] = res.body.event.attachments;
    expect(attachment.size).toBe(big.length);
    expect(attachment.integrity).toBe(await sha256(big));
    const file = await download(`/${user.username}/events/${res.body.event.id}/${attachment.id}`, { headers: { Authorization: user.token } });
    expect(await sha256(await file.arrayBuffer())).toBe(attachment.integrity);
  });

  it("adds files to an existing event and removes one", async () => {
    const user = await withDiary();
    const created = await upload(`/${user.username}/events`, eventForm(note, [{ data: "one", name: "one.txt" }]), user.token);
    const id = created.body.event.id;
    const form = new FormData();
    form.append("file", new Blob(["two"]), "two.txt");
    const added = await upload(`/${user.username}/events/${id}`, form, user.token);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.event.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(["one.txt", "two.txt"]);
    const [first] = added.body.event.attachments;
    const removed = await del(`/${user.username}/events/${id}/${first.id}`, { token: user.token });
    expect(removed.body.event.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(["two.txt"]);
    expect(await settleObjects(user.username, 1)).toHaveLength(1);
    expectError(await get(`/${user.username}/events/${id}/${first.id}`, { token: user.token }), 404, "unknown-resource");
  });

  it("sanitises file names and types", async () => {
    const user = await withDiary();
    const res = await upload(
      `/${user.username}/events`,
      eventForm(note, [
        { data: "x", name: "../../etc/passwd", type: "text/plain; charset=utf-8" },
        { data: "y", name: "evil\r\nSet-Cookie: a=b.txt", type: "not a type" },
      ]),
      user.token,
    );
    const [a, b] = res.body.event.attachments;
    expect(a).toMatchObject({ fileName: "passwd", type: "text/plain" });
    expect(b.fileName).not.toMatch(/[\r\n]/);
    expect(b.type).toBe("application/octet-stream");
    const file = await download(`/${user.username}/events/${res.body.event.id}/${b.id}`, { headers: { Authorization: user.token } });
    expect(file.headers.get("Content-Disposition")).toMatch(/^attachment; filename="[^"\r\n]*"; filename\*=UTF-8''/);
    expect(file.headers.get("Set-Cookie")).toBeNull();
    await file.arrayBuffer();
  });

  it("refuses malformed bodies and a missing event part with a 4xx, leaving no event and no object", async () => {
    const user = await withDiary();
    const before = await accountSnapshot(user.username);
    const path = `/${user.username}/events`;
    const noEvent = new FormData();
    noEvent.append("file", new Blob(["data"]), "f.txt");
    expectError(await upload(path, noEvent, user.token), 400, "invalid-request-structure");
    const twoEvents = eventForm(note, [{ data: "d", name: "d.txt" }]);
    twoEvents.append("second", JSON.stringify(note));
    expectError(await upload(path, twoEvents, user.token), 400, "invalid-request-structure");
    const badJson = new FormData();
    badJson.append("event", "{not json");
    badJson.append("file", new Blob(["data"]), "f.txt");
    expectError(await upload(path, badJson, user.token), 400, "invalid-request-structure");
    expectError(await upload(path, "--X\r\nbroken", user.token, { "Content-Type": "multipart/form-data; boundary=X" }), 400, "invalid-request-structure");
    expectError(await upload(path, eventForm({ ...note, streamIds: ["nope"] }, [{ data: "d", name: "d.txt" }]), user.token), 400, "unknown-referenced-resource");
    expectError(await upload(path, eventForm(note, [{ data: "d", name: "d.txt" }]), "bad-token"), 403, "invalid-access-token");
    expect(await accountSnapshot(user.username)).toEqual(before);
    expect(await settleObjects(user.username, 0)).toEqual([]);
  });
});

describe("downloads", () => {
  async function withFile() {
    const user = await withDiary();
    const data = bytes(1000, 9);
    const res = await upload(`/${user.username}/events`, eventForm(note, [{ data, name: "data élé.bin", type: "application/pdf" }]), user.token);
    return { user, data, event: res.body.event, file: res.body.event.attachments[0] };
  }

  it("answers the bytes with type, length, a safe disposition, the integrity as ETag and Digest", async () => {
    const { user, data, event, file } = await withFile();
    for (const path of [`/${user.username}/events/${event.id}/${file.id}`, `/${user.username}/events/${event.id}/${file.id}/any-name.pdf`]) {
      const res = await download(path, { headers: { Authorization: user.token } });
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);
      expect(res.headers.get("Content-Type")).toBe("application/pdf");
      expect(res.headers.get("Content-Length")).toBe("1000");
      expect(res.headers.get("Content-Disposition")).toBe(`attachment; filename="data _l_.bin"; filename*=UTF-8''data%20%C3%A9l%C3%A9.bin`);
      expect(res.headers.get("ETag")).toBe(`"${file.integrity}"`);
      expect(res.headers.get("Digest")).toBe(`SHA-256=${file.integrity.slice(7)}`);
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    }
    const cached = await download(`/${user.username}/events/${event.id}/${file.id}`, { headers: { Authorization: user.token, "If-None-Match": `"${file.integrity}"` } });
    expect(cached.status).toBe(304);
  });

  it("serves ranges (206), refuses unsatisfiable ones (416)", async () => {
    const { user, data, event, file } = await withFile();
    const path = `/${user.username}/events/${event.id}/${file.id}`;
    const cases: [string, number, number][] = [["bytes=10-19", 10, 19], ["bytes=990-", 990, 999], ["bytes=-5", 995, 999], ["bytes=500-5000", 500, 999]];
    for (const [range, from, to] of cases) {
      const res = await download(path, { headers: { Authorization: user.token, Range: range } });
      expect(res.status, range).toBe(206);
      expect(res.headers.get("Content-Range")).toBe(`bytes ${from}-${to}/1000`);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(data.slice(from, to + 1));
    }
    for (const range of ["bytes=1000-", "bytes=5-2", "lines=1-2", "bytes=-0"]) {
      const res = await download(path, { headers: { Authorization: user.token, Range: range } });
      expect(res.status, range).toBe(416);
      expect(res.headers.get("Content-Range")).toBe("bytes */1000");
      await res.arrayBuffer();
    }
  });

  it("shares by readToken without the account token, while the access lives and may read", async () => {
    const { user, data, event } = await withFile();
    const shared = (await post(`/${user.username}/accesses`, { name: "viewer", permissions: [{ streamId: "diary", level: "read" }] }, { token: user.token })).body.access;
    const seen = (await get(`/${user.username}/events/${event.id}`, { token: shared.token })).body.event.attachments[0];
    const link = `/${user.username}/events/${event.id}/${seen.id}?readToken=${encodeURIComponent(seen.readToken)}`;
    const res = await download(link);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);
    // Another file's or a forged token does not open it.
    const forged = `/${user.username}/events/${event.id}/${seen.id}?readToken=${seen.readToken.slice(0, -2)}xx`;
    expect((await download(forged)).status).toBe(403);
    expect((await download(`/${user.username}/events/${event.id}/${seen.id}`)).status).toBe(401);
    await del(`/${user.username}/accesses/${shared.id}`, { token: user.token });
    expect((await download(link)).status).toBe(403);
  });

  it("permissions: read to download, contribute to add or remove, create-only creates with files", async () => {
    const { user, event, file } = await withFile();
    const token = async (level: string) =>
      (await post(`/${user.username}/accesses`, { name: `l-${level}`, permissions: [{ streamId: "diary", level }] }, { token: user.token })).body.access.token;
    const reader = await token("read");
    const creator = await token("create-only");
    const contributor = await token("contribute");
    const one = () => eventForm(note, [{ data: "z", name: "z.txt" }]);
    expect((await download(`/${user.username}/events/${event.id}/${file.id}`, { headers: { Authorization: reader } })).status).toBe(200);
    expect((await download(`/${user.username}/events/${event.id}/${file.id}`, { headers: { Authorization: creator } })).status).toBe(403);
    expect((await upload(`/${user.username}/events`, one(), creator)).status).toBe(201);
    expect((await upload(`/${user.username}/events`, one(), reader)).status).toBe(403);
    const addForm = () => {
      const form = new FormData();
      form.append("file", new Blob(["more"]), "more.txt");
      return form;
    };
    expect((await upload(`/${user.username}/events/${event.id}`, addForm(), reader)).status).toBe(403);
    expect((await upload(`/${user.username}/events/${event.id}`, addForm(), contributor)).status).toBe(200);
    expectError(await del(`/${user.username}/events/${event.id}/${file.id}`, { token: reader }), 403, "forbidden");
    expect((await del(`/${user.username}/events/${event.id}/${file.id}`, { token: contributor })).status).toBe(200);
    // Refused uploads left nothing: the files are those of the accepted calls.
    const events = (await get(`/${user.username}/events`, { token: user.token, query: { streams: "diary" } })).body.events;
    const attached = events.flatMap((e: { attachments?: unknown[] }) => e.attachments ?? []);
    expect(await settleObjects(user.username, attached.length)).toHaveLength(attached.length);
  });
});

describe("no file is left behind", () => {
  it("trashing keeps files; deleting the event, the stream or the account removes them", async () => {
    const user = await withDiary();
    await createStream(user, { id: "album", name: "Album" });
    const t = { token: user.token };
    const a = await upload(`/${user.username}/events`, eventForm(note, [{ data: "a", name: "a" }, { data: "b", name: "b" }]), user.token);
    const b = await upload(`/${user.username}/events`, eventForm({ ...note, streamIds: ["album"] }, [{ data: "c", name: "c" }]), user.token);
    await upload(`/${user.username}/events`, eventForm(note, [{ data: "d", name: "d" }]), user.token);
    await del(`/${user.username}/events/${a.body.event.id}`, t);
    expect(await objectsOf(user.username)).toHaveLength(4);
    await del(`/${user.username}/events/${a.body.event.id}`, t);
    expect(await settleObjects(user.username, 2)).toHaveLength(2);
    await del(`/${user.username}/streams/album`, t);
    await del(`/${user.username}/streams/album`, { ...t, query: { mergeEventsWithParent: false } });
    expect(await settleObjects(user.username, 1)).toHaveLength(1);
    expectError(await get(`/${user.username}/events/${b.body.event.id}/${b.body.event.attachments[0].id}`, t), 404, "unknown-resource");

    const id = (await userRow(user.username))!.id as number;
    const deleted = await del(`/users/${user.username}`, t);
    expect(deleted.body.userDeletion).toEqual({ username: user.username });
    expect(await settleObjects(id, 0)).toEqual([]);
    for (const table of ["events", "event_streams", "streams", "accesses", "audit_log"]) {
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).bind(id).first<{ n: number }>();
      expect(row!.n, table).toBe(0);
    }
    expectError(await get(`/${user.username}/account`, t), 404, "unknown-resource");
  });

  it("an upload abandoned half-way is swept by the account's Durable Object", async () => {
    const user = await withDiary();
    const { runInDurableObject } = await import("cloudflare:test");
    const { markPending, sweepFiles, PENDING_TTL_MS } = await import("../../src/account-do/file-ledger");
    const id = (await userRow(user.username))!.id;
    const key = `${id}/cabandoned0000000000000000`;
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(user.username));
    await runInDurableObject(stub, async (_instance, state) => {
      markPending(state.storage.kv, key);
      await env.FILES.put(key, "half a file");
      expect(await sweepFiles(state.storage.kv, env.FILES, Date.now())).not.toBeNull(); // not due yet
      expect(await sweepFiles(state.storage.kv, env.FILES, Date.now() + PENDING_TTL_MS + 1)).toBeNull();
    });
    expect(await objectsOf(user.username)).toEqual([]);
  });

  it("deleting an account takes its personal token or the admin key", async () => {
    const user = await createUser();
    const other = await createUser();
    expectError(await del(`/users/${user.username}`, { token: other.token }), 403, "invalid-access-token");
    const app = (await post(`/${user.username}/accesses`, { name: "app", type: "app", permissions: [] }, { token: user.token })).body.access;
    expectError(await del(`/users/${user.username}`, { token: app.token }), 403, "forbidden");
    expect((await request("DELETE", `/users/${user.username}`, { headers: { Authorization: TEST_ADMIN_KEY } })).status).toBe(200);
    expectError(await request("DELETE", `/users/${user.username}`, { headers: { Authorization: TEST_ADMIN_KEY } }), 404, "unknown-resource");
  });
});
