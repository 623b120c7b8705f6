import type { Env } from "../env";

/** Hono environment of the app: bindings only. */
export interface AppEnv {
  Bindings: Env;
}
