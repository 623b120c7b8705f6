/** Every API method, keyed by id. Domains export their definitions; this is the only list. */
import { accountMethods } from "../account/account.methods";
import { accountDeletionMethods } from "../account/account-deletion";
import { passwordResetMethods } from "../account/password-reset.methods";
import { accessesMethods } from "../accesses/accesses.methods";
import { checkApp } from "../accesses/check-app";
import { accessRequestsMethods } from "../consent/access-requests.methods";
import { attachmentsMethods } from "../attachments/attachments.methods";
import { eventsMethods } from "../events/events.methods";
import { mfaMethods } from "../mfa/mfa.methods";
import { streamsMethods } from "../streams/streams.methods";
import { authMethods } from "../auth/auth.methods";
import { errors } from "../errors";
import { profileMethods } from "../profile/profile.methods";
import { adminMethods } from "../register/admin.methods";
import { adminTrailMethods } from "../register/admin-trail.methods";
import { invitationsMethods } from "../register/invitations.methods";
import { recordsMethods } from "../register/records.methods";
import { registerMethods } from "../register/register.methods";
import { serviceMethods } from "../service/service.methods";
import { webhooksMethods } from "../webhooks/webhooks.methods";
import { followedSlicesMethods } from "../followed-slices/followed-slices.methods";
import type { MethodDefinition } from "./method";

const ALL: readonly MethodDefinition[] = [
  ...serviceMethods,
  ...registerMethods,
  ...adminMethods,
  ...invitationsMethods,
  ...recordsMethods,
  ...adminTrailMethods,
  ...authMethods,
  ...accountMethods,
  ...accountDeletionMethods,
  ...passwordResetMethods,
  ...profileMethods,
  ...streamsMethods,
  ...eventsMethods,
  ...accessesMethods,
  checkApp,
  ...attachmentsMethods,
  ...webhooksMethods,
  ...followedSlicesMethods,
  ...accessRequestsMethods,
  ...mfaMethods,
] as MethodDefinition[];

const registry = new Map<string, MethodDefinition>();
for (const method of ALL) {
  if (registry.has(method.id)) throw new Error(`method ${method.id} defined twice`);
  registry.set(method.id, method);
}

/** The method with this id; `invalid-method` (404) when there is none. */
export function getMethod(id: string): MethodDefinition {
  const method = registry.get(id);
  if (!method) throw errors.invalidMethod(id);
  return method;
}

export function findMethod(id: string): MethodDefinition | undefined {
  return registry.get(id);
}

export function allMethods(): readonly MethodDefinition[] {
  return ALL;
}
