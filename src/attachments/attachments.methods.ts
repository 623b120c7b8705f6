/**
 * Files on events: added with the event or later, read with a token or the
 * attachment's `readToken`, removed one by one. Reading needs `read` on one
 * of the event's streams; adding or removing, `contribute` on one.
 */
import { findAccessById } from "../accesses/accesses.store";
import { assertUsableAccess } from "../accesses/authenticate";
import { getSystemStream } from "../account/system-streams";
import { runBatch } from "../db/client";
import { errors } from "../errors";
import { sealed } from "../events/events.rules";
import type { ApiEvent, Attachment } from "../events/events.schema";
import { findEventRow, toApiEvent, updateEventStatements } from "../events/events.store";
import { defineMethod, type MethodContext, type StoredFile } from "../methods/method";
import { assertCanOnSome, permissionsOf } from "../permissions";
import { nowSeconds } from "../shared/time";
import { addAttachmentParams, deleteAttachmentParams, getAttachmentParams, fileToSendResult } from "./attachments.schema";
import { fileKey } from "./file-store";
import { readTokenAccess, withReadTokens } from "./read-tokens";
import { eventResultBody } from "../events/events.schema";

const ANY_TOKEN = { kind: "access", types: ["personal", "app", "shared"] } as const;

/** What an attachment records of an uploaded file. */
export function attachmentOf(file: StoredFile): Attachment {
  return { id: file.id, fileName: file.fileName, type: file.type, size: file.size, integrity: file.integrity };
}

async function liveEvent(ctx: MethodContext, id: string): Promise<ApiEvent> {
  const row = await findEventRow(ctx.db, ctx.user!.id, id);
  if (!row || row.deleted !== null || getSystemStream(id)) throw errors.unknownResource("event", id);
  return toApiEvent(row);
}

/** Writes the event's next version (attachments changed) as the caller. */
async function saveVersion(ctx: MethodContext, before: ApiEvent, attachments: Attachment[]) {
  const stamp = await ctx.writer!.stamp();
  const after: ApiEvent = { ...before, modified: stamp.time, modifiedBy: ctx.access!.id };
  if (attachments.length) after.attachments = attachments;
  else delete after.attachments;
  const event = await sealed(after);
  await runBatch(ctx.db, updateEventStatements(ctx.db, ctx.user!.id, before, event, stamp.serial));
  return withReadTokens(event, ctx.user!.filesSecret, ctx.access!.id);
}

const addAttachment = defineMethod({
  id: "events.addAttachment",
  result: eventResultBody,
  scope: "account",
  params: addAttachmentParams,
  permission: ANY_TOKEN,
  writes: true,
  httpOnly: true,
  handler: async (ctx, { id }) => {
    const before = await liveEvent(ctx, id);
    assertCanOnSome((await permissionsOf(ctx)).logic, "update", before.streamIds);
    if (!ctx.uploads.length) throw errors.invalidRequestStructure("The request has no file part.");
    const event = await saveVersion(ctx, before, [...(before.attachments ?? []), ...ctx.uploads.map(attachmentOf)]);
    ctx.writer!.files.committed(ctx.uploads.map((f) => f.key));
    return { event };
  },
});

const deleteAttachment = defineMethod({
  id: "events.deleteAttachment",
  result: eventResultBody,
  scope: "account",
  params: deleteAttachmentParams,
  permission: ANY_TOKEN,
  writes: true,
  handler: async (ctx, { id, fileId }) => {
    const before = await liveEvent(ctx, id);
    assertCanOnSome((await permissionsOf(ctx)).logic, "update", before.streamIds);
    if (!before.attachments?.some((a) => a.id === fileId)) throw errors.unknownResource("attachment", fileId);
    const event = await saveVersion(ctx, before, before.attachments.filter((a) => a.id !== fileId));
    ctx.writer!.files.discard([fileKey(ctx.user!.id, fileId)]);
    return { event };
  },
});

/** The file to send, with what the HTTP layer needs for its headers. */
export interface FileToSend {
  kind: "file";
  key: string;
  attachment: Attachment;
}

/** Whose permissions apply: the caller's token, else the access a valid read token was made for. */
async function readerOf(ctx: MethodContext, eventId: string, fileId: string, readToken: string | undefined) {
  if (ctx.access) return (await permissionsOf(ctx)).logic;
  if (!readToken) {
    throw errors.invalidAccessToken('The access token is missing: expected an "Authorization" header, an "auth" or a "readToken" query parameter.');
  }
  const accessId = ctx.user!.filesSecret ? await readTokenAccess(ctx.user!.filesSecret, readToken, eventId, fileId) : null;
  const access = accessId ? await findAccessById(ctx.db, ctx.user!.id, accessId) : null;
  if (!access) throw errors.invalidAccessToken("The read token is invalid or no longer valid.", 403);
  assertUsableAccess(access, readToken, nowSeconds());
  return (await permissionsOf({ ...ctx, access })).logic;
}

const getAttachment = defineMethod({
  id: "events.getAttachment",
  result: fileToSendResult,
  resultMedia: "binary",
  scope: "account",
  params: getAttachmentParams,
  permission: { ...ANY_TOKEN, optional: true },
  writes: false,
  httpOnly: true,
  handler: async (ctx, { id, fileId, readToken }): Promise<FileToSend> => {
    const logic = await readerOf(ctx, id, fileId, readToken);
    const event = await liveEvent(ctx, id);
    assertCanOnSome(logic, "read", event.streamIds);
    const attachment = event.attachments?.find((a) => a.id === fileId);
    if (!attachment) throw errors.unknownResource("attachment", fileId);
    return { kind: "file", key: fileKey(ctx.user!.id, fileId), attachment };
  },
});

export const attachmentsMethods = [addAttachment, deleteAttachment, getAttachment];
