/**
 * What an API method is: defined once (id, params schema, permission, handler)
 * and served by HTTP routes, batch calls and sockets through `dispatch`.
 */
import type { z } from "zod";
import type { ApiError } from "../errors";
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Env } from "../env";
import type { AccessRecord, AccessType } from "../accesses/accesses.store";
import type { UserRecord } from "../account/account.store";
import type { AccountWriter } from "../account-do/account-writer";
import type { StreamTree } from "../streams/stream-tree";
import type { StreamRow } from "../streams/streams.store";

/** Where a call came from, as the edge sees it. */
export interface CallerInfo {
  /** Host name the request was addressed to. */
  host: string;
  /** `Origin` header, else `Referer` header, as sent. */
  origin: string | null;
  ip: string | null;
  country: string | null;
  asn: number | null;
  asOrganization: string | null;
}

/** A file the HTTP layer streamed to R2 for a call (see attachments/uploads.ts). */
export interface StoredFile {
  id: string;
  key: string;
  fileName: string;
  type: string;
  size: number;
  integrity: string;
}

export interface MethodContext {
  env: Env;
  config: Config;
  db: Db;
  /** The account addressed by the path (null for service-level methods). */
  user: UserRecord | null;
  /** The calling access (null for methods that need no token). */
  access: AccessRecord | null;
  /** The token the call came with, as sent (mfa.* methods take their mfaToken from it). */
  token: string | null;
  caller: CallerInfo;
  /** Present only inside the account's Durable Object, under its write lock. */
  writer: AccountWriter | null;
  /** Files uploaded with the call (multipart requests). */
  uploads: StoredFile[];
  /** The account's live streams: the Durable Object's copy when writing, else kept with the caller's state. */
  streamTree(): Promise<StreamTree<StreamRow>>;
}

export type MethodPermission =
  /** No token needed (service info, registration, login). */
  | { kind: "public" }
  /** A valid token of one of these types (`optional`: a call without token has no access; the method decides). */
  | { kind: "access"; types: readonly AccessType[]; optional?: boolean }
  /** The operator's ADMIN_KEY in the `Authorization` header. */
  | { kind: "admin" }
  /** The account's personal token, or the operator's ADMIN_KEY. */
  | { kind: "personal-or-admin" };

export const ANY_ACCESS: MethodPermission = { kind: "access", types: ["personal", "app", "shared"] };
export const PERSONAL_ONLY: MethodPermission = { kind: "access", types: ["personal"] };
export const PUBLIC: MethodPermission = { kind: "public" };
export const ADMIN: MethodPermission = { kind: "admin" };

export interface MethodDefinition<S extends z.ZodType = z.ZodType, R = unknown> {
  id: string;
  params: S;
  permission: MethodPermission;
  /** `account` methods address one account (path `/{username}/`, batch calls); `service` ones do not. */
  scope: "account" | "service";
  /**
   * Writes run inside the account's Durable Object under its lock. For a
   * service-scope write, `accountOf` names the account (e.g. registration).
   */
  writes: boolean;
  /**
   * Its writes may be committed with other grouped calls (consecutive ones of a batch, and those of
   * concurrent requests) in one D1 transaction (`writer.commit`): it changes no stream, writes only
   * through `writer.commit`, and reads nothing another call of the group may have written — or only
   * from the object's exact copies (events.update: src/account-do/account-do.ts `groupable`).
   */
  commitsInGroup?: true;
  accountOf?: (params: z.output<S>) => string;
  /** HTTP status on success (201 for creations). */
  status?: number;
  /** Only through its own HTTP route (file transfers), not in batch calls. */
  httpOnly?: boolean;
  /** The successful result body as the handler returns it, without the `meta` the HTTP layer adds (required: the API description is built from it). */
  result: z.ZodType;
  /** How its HTTP route serves the result: `json` (default, `result` plus `meta`), `text` (plain text rendered from it), `binary` (the file it names). */
  resultMedia?: "json" | "text" | "binary";
  /** Maps a params validation failure to this method's own error (default: `invalid-parameters-format`). */
  invalidParams?: (err: z.ZodError) => ApiError;
  handler: (ctx: MethodContext, params: z.output<S>) => Promise<R>;
}

export function defineMethod<S extends z.ZodType, R>(def: MethodDefinition<S, R>): MethodDefinition<S, R> {
  return def;
}
