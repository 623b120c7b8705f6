/**
 * Multipart uploads (`POST /events`, `POST /events/{id}`): the token is
 * checked first, then each file part streams into R2 as it arrives (the
 * account's DO registers it as pending first, then its multipart upload),
 * then the method runs with the stored files. Whatever fails — a limit, a
 * malformed body, the method itself — the files written for the request are
 * removed.
 */
import type { Context } from "hono";
import { accountStub } from "../account-do/stub";
import { resolveUserAndAccess } from "../accesses/authenticate";
import { getConfig } from "../config";
import { createDb } from "../db/client";
import { errors } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readToken } from "../http/auth-token";
import { outcomeResponse, reportUse } from "../http/bind";
import { callerInfo } from "../http/caller";
import { usageEntry } from "../accesses/usage";
import { runCall } from "../methods/dispatch";
import type { StoredFile } from "../methods/method";
import { newId } from "../shared/ids";
import { parseJsonInput } from "../shared/json-input";
import { nowSeconds } from "../shared/time";
import { safeContentType, safeFileName } from "./file-names";
import { fileKey, storeFile, type Budget } from "./file-store";
import { multipartBoundary, parseMultipart } from "./multipart";

/** The event's JSON part stays small: contents go to attachments. */
const MAX_EVENT_PART_BYTES = 1024 * 1024;

async function readText(chunks: AsyncIterable<Uint8Array>, budget: Budget): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.length;
    budget.remaining -= chunk.length;
    if (size > MAX_EVENT_PART_BYTES) throw errors.fileTooLarge(MAX_EVENT_PART_BYTES, "file");
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

export function isMultipart(c: Context<AppEnv>): boolean {
  return /^multipart\//i.test(c.req.header("Content-Type") ?? "");
}

export async function handleUpload(c: Context<AppEnv>, methodId: "events.create" | "events.addAttachment"): Promise<Response> {
  const config = getConfig(c.env);
  const boundary = multipartBoundary(c.req.header("Content-Type") ?? null);
  if (!boundary || !c.req.raw.body) throw errors.invalidRequestStructure("Expected a multipart/form-data body with a boundary.");
  const limit = config.files.maxUploadBytes;
  if (Number(c.req.header("Content-Length") ?? 0) > limit) throw errors.fileTooLarge(limit, "request");

  const username = c.req.param("username") ?? "";
  const token = readToken(c.req.raw);
  const caller = callerInfo(c.req.raw);
  // Nothing is stored for a caller that is not even authenticated.
  const { user } = await resolveUserAndAccess(createDb(c.env.DB), config, username, token, nowSeconds());
  const stub = accountStub(c.env, username);

  const uploads: StoredFile[] = [];
  let current: string | null = null;
  let eventJson: string | null = null;
  const budget: Budget = { maxFileBytes: config.files.maxFileBytes, maxRequestBytes: limit, remaining: limit };
  const cleanUp = () => {
    const keys = [...uploads.map((f) => f.key), ...(current ? [current] : [])];
    if (keys.length) c.executionCtx.waitUntil(stub.abandonUploads(keys).catch(() => undefined));
  };
  try {
    for await (const part of parseMultipart(c.req.raw.body, boundary)) {
      if (part.headers.filename === null) {
        if (eventJson !== null || methodId !== "events.create") {
          throw errors.invalidRequestStructure("Expected exactly one non-file part (the event's JSON) besides the files.");
        }
        eventJson = await readText(part.body, budget);
        continue;
      }
      const id = newId();
      const key = fileKey(user.id, id);
      current = key;
      await stub.beginUpload(key);
      const type = safeContentType(part.headers.contentType);
      const record = (uploadId: string) => stub.recordMultipart(key, uploadId);
      const { size, integrity } = await storeFile(c.env.FILES, key, part.body, budget, type, record);
      uploads.push({ id, key, fileName: safeFileName(part.headers.filename), type, size, integrity });
      current = null;
    }
  } catch (err) {
    cleanUp();
    throw err;
  }

  let params: unknown;
  if (methodId === "events.create") {
    if (eventJson === null) {
      cleanUp();
      throw errors.invalidRequestStructure("The multipart body has no part holding the event's JSON.");
    }
    try {
      params = parseJsonInput(eventJson);
    } catch (err) {
      cleanUp();
      throw err instanceof SyntaxError ? errors.invalidRequestStructure("The event part is not valid JSON.") : err;
    }
  } else {
    params = { id: c.req.param("id") };
  }
  const outcome = await runCall(c.env, { methodId, params, username, token, caller, uploads }, null, {
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
  if (!outcome.ok) cleanUp();
  reportUse(c, username, [usageEntry(outcome, methodId, caller, "http")]);
  return outcomeResponse(c, outcome);
}
