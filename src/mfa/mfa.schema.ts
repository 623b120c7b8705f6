/** Params of the mfa.* methods (the reference's names; unknown keys are ignored). */
import { z } from "zod";
import { LIMITS } from "../shared/limits";

const text = z.string().max(LIMITS.shortText);

/** The reference takes the SMS provider's fields here; TOTP needs none. */
export const activateParams = z.object({}).loose();
export const codeParams = z.object({ code: text }).loose();
export const noParams = z.object({}).loose();
/** `appId` is what the official client sends; the reference does not use it. */
export const recoverParams = z.object({ username: text, password: text, recoveryCode: text, appId: text.optional() }).loose();

// Results (what the handlers return; `meta` is added by the HTTP layer).

/** mfa.activate: the pending activation's token, and the TOTP secret to enrol (also as an `otpauth://` URI). */
export const activateResult = z.strictObject({ mfaToken: z.string(), secret: z.string(), uri: z.string() });
export const confirmResult = z.strictObject({ recoveryCodes: z.array(z.string()) });
export const verifyResult = z.strictObject({ token: z.string(), apiEndpoint: z.string() });
