import { errors } from "../errors";

/** An update naming read-only fields (`id`, `created`, …) is refused as the reference does: `forbidden`. */
export function assertNoProtectedFields(update: object, fields: readonly string[]): void {
  const named = fields.filter((field) => (update as Record<string, unknown>)[field] !== undefined);
  if (named.length) {
    throw errors.forbidden(`Forbidden update was attempted on the following protected field(s): [${named.join(",")}].`);
  }
}
