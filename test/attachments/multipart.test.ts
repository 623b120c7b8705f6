import { describe, expect, it } from "vitest";
import { multipartBoundary, parseMultipart } from "../../src/attachments/multipart";

/** The body of `form` re-chunked into pieces of 1 to `max` bytes. */
async function chunked(form: FormData, max: number) {
  const request = new Request("http://x/", { method: "POST", body: form });
  const bytes = new Uint8Array(await request.arrayBuffer());
  const boundary = multipartBoundary(request.headers.get("Content-Type"))!;
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const size = 1 + Math.floor(Math.random() * max);
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
  return { stream, boundary };
}

async function collect(form: FormData, max: number) {
  const { stream, boundary } = await chunked(form, max);
  const parts = [];
  for await (const part of parseMultipart(stream, boundary)) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of part.body) chunks.push(chunk);
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const body = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    parts.push({ ...part.headers, body });
  }
  return parts;
}

describe("multipart parser", () => {
  const binary = new Uint8Array(100_000).map((_, i) => (i * 7919) % 256);
  for (const max of [1, 3, 17, 4096, 1_000_000]) {
    it(`parses fields and files split in chunks of up to ${max} bytes`, async () => {
      const form = new FormData();
      form.append("event", JSON.stringify({ streamIds: ["a"], type: "note/txt", content: "é 漢字" }));
      form.append("file", new Blob([binary], { type: "application/octet-stream" }), "data.bin");
      form.append("second", new Blob(["\r\n--not-a-boundary\r\n"], { type: "text/plain" }), "tricky name \"quoted\".txt");
      const parts = await collect(form, max);
      expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
        ["event", null, null],
        ["file", "data.bin", "application/octet-stream"],
        ["second", 'tricky name "quoted".txt', "text/plain"],
      ]);
      expect(JSON.parse(new TextDecoder().decode(parts[0]!.body)).content).toBe("é 漢字");
      expect(parts[1]!.body).toEqual(binary);
      expect(new TextDecoder().decode(parts[2]!.body)).toBe("\r\n--not-a-boundary\r\n");
    });
  }

  it("refuses malformed bodies", async () => {
    const bad = async (text: string) => {
      const stream = new Response(text).body!;
      const parts = parseMultipart(stream, "XX");
      for await (const part of parts) for await (const _ of part.body);
    };
    await expect(bad("no boundary at all")).rejects.toMatchObject({ id: "invalid-request-structure" });
    await expect(bad("--XX\r\nContent-Disposition: form-data; name=a\r\n\r\nunfinished")).rejects.toMatchObject({ id: "invalid-request-structure" });
    await expect(bad("--XX\r\nbroken header\r\n\r\nx\r\n--XX--")).rejects.toMatchObject({ id: "invalid-request-structure" });
    await expect(bad("--XXjunk")).rejects.toMatchObject({ id: "invalid-request-structure" });
  });

  it("reads the boundary of a content type", () => {
    expect(multipartBoundary('multipart/form-data; boundary="abc def"')).toBe("abc def");
    expect(multipartBoundary("multipart/form-data; boundary=----x123")).toBe("----x123");
    expect(multipartBoundary("application/json")).toBeNull();
  });
});
