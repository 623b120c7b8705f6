import { z } from "zod";
import { emailSchema } from "../register/register.schema";
import { LIMITS } from "../shared/limits";

export const languageSchema = z.string().min(1).max(5);

export const accountUpdateParams = z.object({
  update: z.strictObject({ email: emailSchema.optional(), language: languageSchema.optional() }),
});

export const changePasswordParams = z.strictObject({
  oldPassword: z.string().max(LIMITS.shortText),
  newPassword: z.string().min(6).max(100),
});

export interface Account {
  username: string;
  email: string;
  language: string;
  storageUsed: { dbDocuments: number; attachedFiles: number };
}
