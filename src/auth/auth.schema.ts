/** Results of the login methods (their params are inline in auth.methods.ts). */
import { z } from "zod";

/** An open login session: the personal token and its connection string. */
export const loginSessionResult = z
  .strictObject({ token: z.string(), apiEndpoint: z.string(), preferredLanguage: z.string() })
  .meta({ id: "LoginSession", description: "A login session: the personal token, its connection string and the account's language." });

/** The session, or — when the account has MFA — the `mfaToken` that mfa.verify takes with a code. */
export const loginResult = z.union([loginSessionResult, z.strictObject({ mfaToken: z.string() })]);
