/**
 * How a core talks to the register's directory (src/register/directory.ts).
 * On a single node (ROLE=all) the directory is in the same D1: calls go straight
 * to it. A core (ROLE=core) calls the register's internal routes
 * (`/reg/system/directory/…`, src/register/directory.routes.ts) over the
 * `REGISTER` service binding when both Workers are in one account, else over
 * HTTPS to REGISTER_URL, with the shared REGISTER_KEY in `Authorization`.
 */
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { ApiError, errors, type ErrorId } from "../errors";
import * as directory from "./directory";

export interface RegisterClient {
  /** Holds the username and email for this core (409 when taken); returns when the hold expires. */
  reserve(r: Omit<directory.Reservation, "core">): Promise<{ reservedUntil: number }>;
  /** Makes the reservation permanent (404 `unknown-resource` when it expired or was not ours). */
  confirm(username: string): Promise<void>;
  /** Gives up this core's entry (a registration that did not complete). */
  release(username: string): Promise<void>;
  /** 409 when another account holds the email. */
  updateEmail(username: string, email: string): Promise<void>;
  remove(username: string): Promise<void>;
  /** The core hosting `username` (null when the directory has no such account). */
  coreOf(username: string): Promise<string | null>;
}

export type DirectoryOperation = "reserve" | "confirm" | "release" | "update-email" | "remove" | "lookup";

export function registerClient(env: Env, config: Config, db: Db): RegisterClient {
  return config.role === "all" ? localClient(db, config) : remoteClient(env, config);
}

function localClient(db: Db, config: Config): RegisterClient {
  const core = config.coreId;
  return {
    reserve: (r) => directory.reserve(db, config, { ...r, core }),
    confirm: (username) => directory.confirm(db, username, core),
    release: (username) => directory.release(db, username, core),
    updateEmail: (username, email) => directory.updateEmail(db, username, email),
    remove: (username) => directory.remove(db, username),
    coreOf: async (username) => (await directory.findActiveEntry(db, username))?.core ?? null,
  };
}

function remoteClient(env: Env, config: Config): RegisterClient {
  const { key } = config.register;
  // With only the binding, the URL just has to be well-formed: the binding ignores its host.
  const base = config.register.url ?? "https://register.internal";
  const call = async (operation: DirectoryOperation, body: object): Promise<unknown> => {
    if (!key) throw errors.apiUnavailable("The register is not configured (REGISTER_KEY).");
    const request = new Request(`${base}/reg/system/directory/${operation}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: key },
      body: JSON.stringify({ ...body, core: config.coreId }),
    });
    let response: Response;
    let answer: { error?: { id?: string; message?: string; data?: unknown } } & Record<string, unknown>;
    try {
      response = await (env.REGISTER ? env.REGISTER.fetch(request) : fetch(request));
      answer = (await response.json()) as typeof answer;
    } catch {
      throw errors.apiUnavailable("The register cannot be reached.");
    }
    if (response.ok) return answer;
    const error = answer.error;
    if (!error?.id || typeof error.message !== "string") throw errors.apiUnavailable("The register answered an error.");
    // The register's own answer (409, 404, …) is the caller's answer.
    throw new ApiError(error.id as ErrorId, error.message, { data: error.data, status: response.status });
  };
  return {
    reserve: async (r) => (await call("reserve", r)) as { reservedUntil: number },
    confirm: async (username) => void (await call("confirm", { username })),
    release: async (username) => void (await call("release", { username })),
    updateEmail: async (username, email) => void (await call("update-email", { username, email })),
    remove: async (username) => void (await call("remove", { username })),
    coreOf: async (username) => ((await call("lookup", { username })) as { core: string | null }).core,
  };
}
