/**
 * The register's internal directory routes (`/reg/system/directory/{operation}`),
 * called by cores through src/register/register-client.ts. Not public API: no
 * CORS (src/app.ts), not in the method registry, served only when REGISTER_KEY
 * is set, and only to callers presenting it. Bodies are zod-checked; every
 * refusal is a Pryv error.
 */
import { Hono } from "hono";
import { z } from "zod";
import { getConfig, type Config } from "../config";
import { createDb, type Db } from "../db/client";
import { errors, fromZodError } from "../errors";
import type { AppEnv } from "../http/app-env";
import { readJsonBody } from "../http/body";
import { jsonResponse } from "../http/meta";
import { timingSafeEqualStrings } from "../shared/crypto";
import { LIMITS } from "../shared/limits";
import * as directory from "./directory";
import type { DirectoryOperation } from "./register-client";
import { emailSchema, usernameSchema } from "./register.schema";

const core = z.string().regex(/^[a-z0-9-]+$/);
const byName = z.object({ username: usernameSchema, core });

interface Operation {
  params: z.ZodType;
  run(db: Db, config: Config, params: unknown): Promise<unknown>;
}
const operation = <S extends z.ZodType>(params: S, run: (db: Db, config: Config, p: z.output<S>) => Promise<unknown>): Operation => ({
  params,
  run: (db, config, p) => run(db, config, p as z.output<S>),
});

const operations: Record<DirectoryOperation, Operation> = {
  reserve: operation(
    z.object({ username: usernameSchema, email: emailSchema, core, invitationToken: z.string().max(LIMITS.shortText).optional() }),
    (db, config, p) => directory.reserve(db, config, p),
  ),
  confirm: operation(byName, (db, _, p) => directory.confirm(db, p.username, p.core)),
  release: operation(byName, (db, _, p) => directory.release(db, p.username, p.core)),
  "update-email": operation(byName.extend({ email: emailSchema }), (db, _, p) => directory.updateEmail(db, p.username, p.email)),
  remove: operation(byName, (db, _, p) => directory.remove(db, p.username)),
  lookup: operation(byName, async (db, _, p) => ({ core: (await directory.findActiveEntry(db, p.username))?.core ?? null })),
};

export const directoryRoutes = new Hono<AppEnv>();

directoryRoutes.post("/:operation", async (c) => {
  const config = getConfig(c.env);
  const name = c.req.param("operation");
  const op = Object.hasOwn(operations, name) ? operations[name as DirectoryOperation] : undefined;
  if (!config.register.key || config.role === "core" || !op) throw errors.unknownResource();
  const key = c.req.header("Authorization");
  if (!key) throw errors.invalidAccessToken("The register key is missing.");
  if (!timingSafeEqualStrings(key, config.register.key)) throw errors.forbidden("Wrong register key.");
  const parsed = op.params.safeParse(await readJsonBody(c.req.raw, config.maxBodyBytes));
  if (!parsed.success) throw fromZodError(parsed.error);
  const result = await op.run(createDb(c.env.DB), config, parsed.data);
  return jsonResponse(c, config, 200, (result as object | undefined) ?? {});
});
