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
