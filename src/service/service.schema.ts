/** The service info document (service-info.ts builds it). */
import { z } from "zod";

export const serviceInfoResult = z
  .strictObject({
    /** The per-account API root, with `{username}` to substitute. */
    api: z.string(),
    register: z.string(),
    /** Where apps start access requests. */
    access: z.string(),
    name: z.string(),
    home: z.string(),
    support: z.string(),
    terms: z.string(),
    eventTypes: z.string(),
    /** Changes when clients should reload this document. */
    serial: z.string(),
    version: z.string(),
    features: z.strictObject({ noHF: z.boolean(), contentQueries: z.boolean() }),
    assets: z.strictObject({ definitions: z.string() }),
  })
  .meta({
    id: "ServiceInfo",
    description: "The service info document clients read first: URLs of the API, the register and access requests, and features.",
  });
