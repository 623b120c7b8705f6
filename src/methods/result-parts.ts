/**
 * Pieces of result schemas several domains share. Schemas given an `id`
 * (`.meta({ id })`) become named definitions in the JSON Schema conversion
 * (`$defs/{id}`), which the API description turns into components.
 */
import { z } from "zod";

/** Seconds since the epoch (float), as every time of the API. */
export const timestamp = z.number();

/** Who created and last changed an item (access ids, or `system`), and when. */
export const changeTracking = {
  created: timestamp,
  createdBy: z.string(),
  modified: timestamp,
  modifiedBy: z.string(),
};

/** Free key/value data of the client (events, streams, accesses). */
export const clientDataResult = z.record(z.string(), z.unknown());

/** `{}`: a method whose success says nothing more. */
export const emptyResult = z.strictObject({});

/** What remains of a deleted item (`streamDeletion`, `accessDeletion`, `webhookDeletion`, …). */
export const itemDeletion = z
  .strictObject({ id: z.string(), deleted: timestamp })
  .meta({ id: "ItemDeletion", description: "A deleted item: its id and when it was deleted." });

/** `{message}`: a method answering a sentence for people. */
export const messageResult = z.strictObject({ message: z.string() });
