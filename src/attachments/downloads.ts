/**
 * `GET /events/{id}/{fileId}[/{anyName}]`: the file's bytes, streamed from
 * R2, with a safe `Content-Disposition`, the integrity as `ETag` and
 * `Digest`, and HTTP ranges (206) so media and large exports can resume.
 */
import type { Context } from "hono";

import { ApiError, errors } from "../errors";
import type { AppEnv } from "../http/app-env";
import { callMethod, outcomeResponse } from "../http/bind";
import { API_VERSION } from "../http/meta";
import type { FileToSend } from "./attachments.methods";
import { contentDisposition } from "./file-names";

interface ByteRange {
  offset: number;
  length: number;
}

/** One `bytes=` range of a file of `size` bytes; null without a Range header; throws 416 if unsatisfiable. */
export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  const unsatisfiable = () =>
    new ApiError("invalid-request-structure", `The range "${header}" cannot be served from ${size} bytes.`, {
      status: 416,
      headers: { "Content-Range": `bytes */${size}` },
      data: { size },
    });
  if (!match || (match[1] === "" && match[2] === "")) throw unsatisfiable();
  if (match[1] === "") {
    const suffix = Math.min(Number(match[2]), size);
    if (suffix === 0) throw unsatisfiable();
    return { offset: size - suffix, length: suffix };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) throw unsatisfiable();
  return { offset: start, length: end - start + 1 };
}

export async function handleDownload(c: Context<AppEnv>): Promise<Response> {
  const outcome = await callMethod(c, "events.getAttachment", {
    id: c.req.param("id"),
    fileId: c.req.param("fileId"),
    ...(c.req.query("readToken") ? { readToken: c.req.query("readToken") } : {}),
  });
  if (!outcome.ok) return outcomeResponse(c, outcome);
  const { key, attachment } = outcome.result as FileToSend;
  const etag = `"${attachment.integrity ?? attachment.id}"`;
  const headers: Record<string, string> = {
    "Content-Type": attachment.type,
    "Content-Disposition": contentDisposition(attachment.fileName),
    ETag: etag,
    "Accept-Ranges": "bytes",
    "Cache-Control": "private, no-cache",
    "X-Content-Type-Options": "nosniff",
    // Files are data, never pages of this origin.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "API-Version": API_VERSION,
  };
  if (attachment.integrity?.startsWith("sha256-")) headers.Digest = `SHA-256=${attachment.integrity.slice(7)}`;
  if (c.req.header("If-None-Match") === etag) return new Response(null, { status: 304, headers });

  const range = parseRange(c.req.header("Range"), attachment.size);
  const object = await c.env.FILES.get(key, range ? { range } : undefined);
  if (!object) throw errors.unknownResource("attachment", attachment.id);
  if (!range) return new Response(object.body, { status: 200, headers: { ...headers, "Content-Length": String(attachment.size) } });
  return new Response(object.body, {
    status: 206,
    headers: {
      ...headers,
      "Content-Length": String(range.length),
      "Content-Range": `bytes ${range.offset}-${range.offset + range.length - 1}/${attachment.size}`,
    },
  });
}

