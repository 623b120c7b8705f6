/**
 * Stream ids: a client's id is slugified as the reference does; without one,
 * the id is made from the name (lowercase) and made unique with a numeric
 * suffix (`diary`, `diary-2`, …).
 */
import { errors } from "../errors";
import { clientSlug, RESERVED_IDS, slug } from "../shared/slug";

/** A client-chosen stream id, slugified; `invalid-item-id` for the reserved ones. */
export function clientStreamId(id: string): string {
  const slugged = clientSlug(id);
  if (RESERVED_IDS.has(id) || RESERVED_IDS.has(slugged)) {
    throw errors.invalidItemId(`The specified id "${id}" is not allowed.`);
  }
  return slugged;
}

/** An id made from `name`, unique among `taken`; null when the name has no usable character. */
export function idFromName(name: string, taken: (id: string) => boolean): string | null {
  const base = slug(name).toLowerCase().slice(0, 100);
  if (!base || RESERVED_IDS.has(base)) return null;
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}
