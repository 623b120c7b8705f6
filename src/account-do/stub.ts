/**
 * How the Worker reaches an account's Durable Object. Kept apart from the
 * class (a type import only), so that domain code calling the object never
 * imports the object's own module, which imports the dispatcher: no import
 * cycle runs through src/account-do (`npm run check:cycles`).
 */
import type { Env } from "../env";
import type { AccountDO } from "./account-do";

/** Object ids by namespace and username: deriving one hashes the name, on every call otherwise. */
const ids = new WeakMap<DurableObjectNamespace, Map<string, DurableObjectId>>();
const MAX_IDS = 1000;

/** The Durable Object of `username`'s account. */
export function accountStub(env: Env, username: string): DurableObjectStub<AccountDO> {
  let known = ids.get(env.ACCOUNT);
  if (!known) ids.set(env.ACCOUNT, (known = new Map()));
  let id = known.get(username);
  if (!id) {
    if (known.size >= MAX_IDS) known.clear();
    id = env.ACCOUNT.idFromName(username);
    known.set(username, id);
  }
  return env.ACCOUNT.get(id);
}
