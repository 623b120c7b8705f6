import { z } from "zod";

export const addAttachmentParams = z.strictObject({ id: z.string().min(1) });

export const deleteAttachmentParams = z.strictObject({ id: z.string().min(1), fileId: z.string().min(1) });

export const getAttachmentParams = z.strictObject({
  id: z.string().min(1),
  fileId: z.string().min(1),
  readToken: z.string().min(1).max(200).optional(),
});
