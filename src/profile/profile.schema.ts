/** Results of the profile methods (their params are inline in profile.methods.ts). */
import { z } from "zod";

/** A profile set: free key/value data. */
export const profileResult = z.strictObject({ profile: z.record(z.string(), z.unknown()) });
