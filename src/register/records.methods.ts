/** The admin's DNS records (`/reg/records`, see records.ts): upsert, delete, list. */
import { z } from "zod";
import { errors, fromZodError } from "../errors";
import { ADMIN, defineMethod } from "../methods/method";
import { findLiveEntry } from "./directory";
import { deleteDnsRecord, listDnsRecords, recordsSchema, SERVICE_SUBDOMAINS, setDnsRecord, subdomainSchema } from "./records";
import { deleteDnsRecordResult, listDnsRecordsResult, setDnsRecordResult } from "./admin.schema";

/** The reference answers `invalid-parameters` here (its other admin routes are older). */
const asInvalidParameters = (err: z.ZodError) => {
  const pryvError = fromZodError(err);
  return errors.invalidParameters(pryvError.message, pryvError.data);
};

const setRecord = defineMethod({
  id: "admin.setDnsRecord",
  result: setDnsRecordResult,
  scope: "service",
  params: z.object({
    subdomain: subdomainSchema.refine((s) => !SERVICE_SUBDOMAINS.includes(s), "is one of the service's own host names"),
    records: recordsSchema,
  }),
  invalidParams: asInvalidParameters,
  permission: ADMIN,
  writes: false,
  handler: async ({ db }, { subdomain, records }) => {
    // In subdomain mode `{username}.{domain}` is the account's: a record there would shadow it.
    if (await findLiveEntry(db, subdomain)) {
      throw errors.invalidOperation(`"${subdomain}" is an account's host name.`, { subdomain });
    }
    await setDnsRecord(db, subdomain, records);
    return { subdomain, records, status: "ok" };
  },
});

const deleteRecord = defineMethod({
  id: "admin.deleteDnsRecord",
  result: deleteDnsRecordResult,
  scope: "service",
  params: z.object({ subdomain: subdomainSchema }),
  invalidParams: asInvalidParameters,
  permission: ADMIN,
  writes: false,
  handler: async ({ db }, { subdomain }) => {
    if (!(await deleteDnsRecord(db, subdomain))) throw errors.unknownResource("subdomain", subdomain);
    return { subdomain, status: "deleted" };
  },
});

const listRecords = defineMethod({
  id: "admin.listDnsRecords",
  result: listDnsRecordsResult,
  scope: "service",
  params: z.object({}).loose(),
  permission: ADMIN,
  writes: false,
  handler: async ({ db }) => ({ records: await listDnsRecords(db) }),
});

export const recordsMethods = [setRecord, deleteRecord, listRecords];
