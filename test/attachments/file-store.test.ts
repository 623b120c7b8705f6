import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PART_SIZE, storeFile } from "../../src/attachments/file-store";

async function* chunksOf(total: number, chunk = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let sent = 0; sent < total; sent += chunk) {
    yield new Uint8Array(Math.min(chunk, total - sent)).fill(sent % 251);
  }
}

const noLedger = async () => undefined;

const budget = (maxFileBytes: number, remaining = maxFileBytes) => ({ maxFileBytes, maxRequestBytes: remaining, remaining });

/** Lets timers and rejected promises settle, so an unhandled rejection would be reported against this test run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("storeFile", () => {
  it("stores a file, giving its size and the sha-256 of what was stored", async () => {
    const stored = await storeFile(env.FILES, "store-test/small", chunksOf(200_000), budget(1_000_000), "text/plain", noLedger);
    const object = await env.FILES.get("store-test/small");
    const bytes = new Uint8Array(await object!.arrayBuffer());
    const expected = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))));
    expect(stored).toEqual({ size: 200_000, integrity: `sha256-${expected}` });
    expect(object!.httpMetadata?.contentType).toBe("text/plain");
  });

  it("refuses a file over its limit and leaves neither an object nor a dangling promise", async () => {
    const overSmall = storeFile(env.FILES, "store-test/over-small", chunksOf(300_000), budget(100_000), "x/y", noLedger);
    await expect(overSmall).rejects.toMatchObject({ status: 413, data: { what: "file" } });
    // Past one part, so an R2 multipart upload was started and must be aborted.
    const uploadIds: string[] = [];
    const record = async (id: string) => void uploadIds.push(id);
    const overLarge = storeFile(env.FILES, "store-test/over-large", chunksOf(PART_SIZE + 300_000), budget(PART_SIZE + 100_000), "x/y", record);
    await expect(overLarge).rejects.toMatchObject({ status: 413, data: { what: "file" } });
    // Its id was handed out (for the ledger), and the upload is aborted.
    expect(uploadIds).toHaveLength(1);
    await expect(env.FILES.resumeMultipartUpload("store-test/over-large", uploadIds[0]!).uploadPart(2, "x")).rejects.toThrow(/\(10024\)/);
    await settle();
    expect((await env.FILES.list({ prefix: "store-test/over" })).objects).toEqual([]);
  });

  it("refuses a file that overdraws the request's budget", async () => {
    const request = budget(1_000_000, 50_000);
    await expect(storeFile(env.FILES, "store-test/overdraw", chunksOf(80_000), request, "x/y", noLedger)).rejects.toMatchObject({
      status: 413,
      data: { what: "request" },
    });
    await settle();
    expect(await env.FILES.head("store-test/overdraw")).toBeNull();
  });
});
