import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountStub } from "../../src/account-do/stub";
import { PENDING_TTL_MS, sweepFiles } from "../../src/account-do/file-ledger";
import { fileKey, PART_SIZE, storeFile } from "../../src/attachments/file-store";
import { newId } from "../../src/shared/ids";
import { del } from "../helpers/api";
import { userRow } from "../helpers/db";
import { bytes } from "../helpers/files";
import { createUser, type TestUser } from "../helpers/users";

const MiB = 1024 * 1024;
const unlimited = { maxFileBytes: 1e12, maxRequestBytes: 1e12, remaining: 1e12 };

/**
 * A call killed (kill -9) in the middle of a large upload, as uploads.ts runs
 * it: the file registered as pending, its multipart upload recorded, three
 * parts (15 MiB) written and never completed. `revive` lets the stalled call go
 * on, as if it had not died: it tries to complete the file.
 */
async function crashMidUpload(user: TestUser) {
  const key = fileKey((await userRow(user.username))!.id, newId());
  const stub = accountStub(env, user.username);
  let uploadId = "";
  let stalled!: () => void;
  let revive!: () => void;
  const reached = new Promise<void>((resolve) => (stalled = resolve));
  const revived = new Promise<void>((resolve) => (revive = resolve));
  async function* body() {
    for (let sent = 0; sent < 3 * PART_SIZE; sent += MiB) yield bytes(MiB, sent);
    stalled();
    await revived;
  }
  await stub.beginUpload(key);
  const call = storeFile(env.FILES, key, body(), unlimited, "application/octet-stream", (id) => {
    uploadId = id;
    return stub.recordMultipart(key, id);
  });
  call.catch(() => undefined);
  await reached;
  return { key, stub, uploadId, revive: () => (revive(), call) };
}

/** The unfinished upload no longer exists: no part can be added, the killed call cannot complete it. */
async function expectAborted(crashed: Awaited<ReturnType<typeof crashMidUpload>>) {
  await expect(env.FILES.resumeMultipartUpload(crashed.key, crashed.uploadId).uploadPart(4, "more")).rejects.toThrow(
    /multipart upload does not exist/,
  );
  await expect(crashed.revive()).rejects.toThrow(/multipart upload does not exist/);
  expect(await env.FILES.head(crashed.key)).toBeNull();
}

describe("a call killed during a multipart upload leaves no personal data behind", () => {
  it("the sweep aborts the unfinished upload once it is abandoned", async () => {
    const user = await createUser();
    const crashed = await crashMidUpload(user);
    expect(crashed.uploadId).not.toBe("");
    await runInDurableObject(crashed.stub, async (_instance, state) => {
      expect(await sweepFiles(state.storage.kv, env.FILES, Date.now())).not.toBeNull(); // not due yet
      expect(await sweepFiles(state.storage.kv, env.FILES, Date.now() + PENDING_TTL_MS + 1)).toBeNull();
    });
    await expectAborted(crashed);
  });

  it("deleting the account aborts it at once", async () => {
    const user = await createUser();
    const crashed = await crashMidUpload(user);
    expect((await del(`/users/${user.username}`, { token: user.token })).status).toBe(200);
    // The deletion's sweep runs in the object's alarm, soon: one run here has surely happened
    // once it returns. The upload is not due as abandoned: the deletion alone removes it.
    await runInDurableObject(crashed.stub, (_instance, state) => sweepFiles(state.storage.kv, env.FILES, Date.now()));
    await expectAborted(crashed);
  });
});
