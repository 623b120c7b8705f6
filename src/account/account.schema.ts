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

// Results (what the handlers return; `meta` is added by the HTTP layer).

export const accountResult = z
  .strictObject({
    username: z.string(),
    email: z.string(),
    language: z.string(),
    /** Bytes: `dbDocuments` (events, streams, accesses…), `attachedFiles` (files). */
    storageUsed: z.strictObject({ dbDocuments: z.number(), attachedFiles: z.number() }),
  })
  .meta({ id: "Account", description: "The account's editable fields and its storage use." });

export const accountResultBody = z.strictObject({ account: accountResult });

/** `DELETE /users/{username}`. */
export const accountDeletionResult = z.strictObject({ userDeletion: z.strictObject({ username: z.string() }) });
