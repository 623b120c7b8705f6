import { z } from "zod";
import { attachmentResult } from "../events/events.schema";
import { LIMITS } from "../shared/limits";

const id = z.string().min(1).max(LIMITS.shortText);

export const addAttachmentParams = z.strictObject({ id });

export const deleteAttachmentParams = z.strictObject({ id, fileId: id });

export const getAttachmentParams = z.strictObject({
  id: z.string().min(1),
  fileId: z.string().min(1),
  readToken: z.string().min(1).max(200).optional(),
});

/**
 * events.getAttachment's result, internal: the HTTP route answers the file's
 * bytes (`resultMedia: "binary"`), with the attachment's type and name.
 */
export const fileToSendResult = z.strictObject({
  kind: z.literal("file"),
  /** The file's R2 key. */
  key: z.string(),
  attachment: attachmentResult,
});
