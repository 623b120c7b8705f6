import { z } from "zod";
import { LIMITS } from "../shared/limits";

const id = z.string().min(1).max(LIMITS.shortText);

export const addAttachmentParams = z.strictObject({ id });

export const deleteAttachmentParams = z.strictObject({ id, fileId: id });

export const getAttachmentParams = z.strictObject({
  id: z.string().min(1),
  fileId: z.string().min(1),
  readToken: z.string().min(1).max(200).optional(),
});
