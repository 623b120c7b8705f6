/**
 * How the Worker reaches an account's Durable Object. Kept apart from the
 * class (a type import only), so that domain code calling the object never
 * imports the object's own module, which imports the dispatcher: no import
 * cycle runs through src/account-do (`npm run check:cycles`).
 */
import type { Env } from "../env";
import type { AccountDO } from "./account-do";

/** The Durable Object of `username`'s account. */
export function accountStub(env: Env, username: string): DurableObjectStub<AccountDO> {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(username));
}
