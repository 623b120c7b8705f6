/**
 * Every method declares the schema of its result (the API description is
 * built from them), each converts to JSON Schema, and the answers of real
 * calls match them: the body minus `meta` parses with the method's `result`.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { allMethods, findMethod } from "../../src/methods/registry";
import { del, get, post, put, TEST_ADMIN_KEY, TRUSTED_ORIGIN, type ApiResponse } from "../helpers/api";
import { createAccessRequest, poll, settle } from "../helpers/access-requests";
import { createStream } from "../helpers/data";
import { eventForm, upload } from "../helpers/files";
import { createUser, login, registrationBody, type TestUser } from "../helpers/users";
import { activate, nextStepCode, totpCode } from "../mfa/helpers";
import { receiver } from "../webhooks/helpers";

const JSON_SCHEMA_OPTIONS = { target: "draft-2020-12", io: "output", unrepresentable: "any" } as const;

const admin = { token: TEST_ADMIN_KEY };
const trusted = { headers: { Origin: TRUSTED_ORIGIN } };

/** The answer's body without `meta`, after checking it is a success that `methodId`'s result schema accepts. */
function expectResult(methodId: string, res: ApiResponse, status = 200): Record<string, any> {
  expect(res.status, `${methodId}: ${JSON.stringify(res.body)}`).toBe(status);
  const { meta: _meta, ...body } = res.body as Record<string, unknown>;
  const parsed = findMethod(methodId)!.result.safeParse(body);
  expect(parsed.success, `${methodId}: ${parsed.error ? z.prettifyError(parsed.error) : ""}\nin ${JSON.stringify(body)}`).toBe(true);
  return body;
}

describe("result schemas", () => {
  it("every method has one, and each converts to a JSON Schema that says something", () => {
    for (const method of allMethods()) {
      expect(method.result, method.id).toBeInstanceOf(z.ZodType);
      const schema = z.toJSONSchema(method.result, JSON_SCHEMA_OPTIONS) as Record<string, unknown>;
      const described = ["type", "anyOf", "oneOf", "$ref"].some((key) => key in schema);
      expect(described, `${method.id}: ${JSON.stringify(schema)}`).toBe(true);
    }
  });

  it("refuse what a result never holds: an unknown field, a missing one", () => {
    const events = findMethod("events.create")!.result;
    const event = { id: "e", streamIds: ["s"], type: "note/txt", time: 1, created: 1, createdBy: "a", modified: 1, modifiedBy: "a" };
    expect(events.safeParse({ event }).success).toBe(true);
    expect(events.safeParse({ event: { ...event, surprise: 1 } }).success).toBe(false);
    expect(events.safeParse({ event: { ...event, streamIds: undefined } }).success).toBe(false);
    expect(events.safeParse({ event, extra: true }).success).toBe(false);
  });
});

describe("answers match the result schemas", () => {
  it("service, registration, directory", async () => {
    expectResult("service.info", await get("/service/info"));
    expectResult("service.info", await get("/reg/service/info"));
    const body = registrationBody();
    expectResult("auth.register", await post("/users", body), 201);
    expectResult("auth.usernameCheck", await get(`/reg/${body.username}/check_username`));
    expectResult("auth.usernameCheck", await get("/reg/free-name-for-checks/check_username"));
    expectResult("auth.emailCheck", await get("/reg/free-email-for-checks@example.com/check_email"));
    expectResult("auth.usernameForEmail", await get(`/reg/${body.email}/username`));
    expectResult("auth.userServer", await post(`/reg/${body.username}/server`));
    expectResult("auth.cores", await get("/reg/cores", { query: { username: body.username } }));
    expectResult("auth.cores", await get("/reg/cores", { query: { email: "nobody@example.com" } }));
    expectResult("auth.hostings", await get("/reg/hostings"));
    expectResult("apps.get", await get("/reg/apps"));
  });

  it("login, account, profile, logout", async () => {
    const user = await createUser();
    const session = expectResult("auth.login", await login(user));
    const token = session.token as string;
    expectResult("account.get", await get(`/${user.username}/account`, { token }));
    expectResult("account.update", await put(`/${user.username}/account`, { language: "fr" }, { token }));
    expectResult("profile.update", await put(`/${user.username}/profile/public`, { displayName: "Ann", age: 3 }, { token }));
    expectResult("profile.getPublic", await get(`/${user.username}/profile/public`, { token }));
    expectResult("profile.get", await get(`/${user.username}/profile/private`, { token }));
    const app = await post(`/${user.username}/accesses`, { name: "profile-app", type: "app", permissions: [] }, { token });
    const appToken = app.body.access.token as string;
    expectResult("profile.updateApp", await put(`/${user.username}/profile/app`, { theme: "dark" }, { token: appToken }));
    expectResult("profile.getApp", await get(`/${user.username}/profile/app`, { token: appToken }));
    const newPassword = `${user.password}-2`;
    expectResult("account.changePassword", await post(`/${user.username}/account/change-password`, { oldPassword: user.password, newPassword }, { token }));
    expectResult("account.requestPasswordReset", await post(`/${user.username}/account/request-password-reset`, { appId: "test-app-id" }, trusted));
    expectResult("auth.logout", await post(`/${user.username}/auth/logout`, {}, { token }));
  });

  it("streams: tree, create, update, two-step delete, deletions", async () => {
    const user = await createUser();
    const path = `/${user.username}/streams`;
    const root = expectResult("streams.create", await post(path, { name: "Root", clientData: { color: "red" } }, { token: user.token }), 201);
    const child = expectResult("streams.create", await post(path, { name: "Child", parentId: root.stream.id }, { token: user.token }), 201);
    await post(path, { name: "Grandchild", parentId: child.stream.id }, { token: user.token });
    const tree = expectResult("streams.get", await get(path, { token: user.token }));
    expect(tree.streams.find((s: { id: string }) => s.id === root.stream.id).children[0].children).toHaveLength(1);
    expectResult("streams.update", await put(`${path}/${child.stream.id}`, { name: "Renamed", clientData: { x: 1 } }, { token: user.token }));
    await post(`/${user.username}/events`, { streamIds: [child.stream.id], type: "note/txt", content: "in child" }, { token: user.token });
    expectResult("streams.delete", await del(`${path}/${child.stream.id}`, { token: user.token }));
    expectResult("streams.get", await get(path, { token: user.token, query: { state: "all" } }));
    const deletion = expectResult(
      "streams.delete",
      await del(`${path}/${child.stream.id}`, { token: user.token, query: { mergeEventsWithParent: "true" } }),
    );
    expect(deletion.updatedEvents).toHaveLength(1);
    const since = expectResult("streams.get", await get(path, { token: user.token, query: { includeDeletionsSince: 0 } }));
    expect(since.streamDeletions.length).toBeGreaterThan(0);
  });

  it("events: create (with files), get, getOne with history, update, attachments, two-step delete, audit", async () => {
    const user = await createUser();
    const token = user.token;
    const stream = await createStream(user, { name: "Diary" });
    const base = `/${user.username}/events`;
    const plain = expectResult(
      "events.create",
      await post(base, { streamIds: [stream.id], type: "note/txt", content: "hi", description: "d", clientData: { a: 1 }, duration: null }, { token }),
      201,
    );
    const form = eventForm({ streamIds: [stream.id], type: "note/txt", content: "with files" }, [
      { data: "one", name: "one.txt", type: "text/plain" },
      { data: "two", name: "two.txt", type: "text/plain" },
    ]);
    const withFiles = expectResult("events.create", await upload(base, form, token), 201);
    expect(withFiles.event.attachments[0].readToken).toBeTruthy();
    const id = withFiles.event.id as string;
    const more = new FormData();
    more.append("file", new Blob(["three"], { type: "text/plain" }), "three.txt");
    expectResult("events.addAttachment", await upload(`${base}/${id}`, more, token));
    expectResult("events.deleteAttachment", await del(`${base}/${id}/${withFiles.event.attachments[0].id}`, { token }));
    expectResult("events.update", await put(`${base}/${plain.event.id}`, { content: "changed", clientData: { b: 2 } }, { token }));
    const one = expectResult("events.getOne", await get(`${base}/${plain.event.id}`, { token, query: { includeHistory: "true" } }));
    expect(one.history.length).toBeGreaterThan(0);
    expectResult("events.get", await get(base, { token }));
    expectResult("events.delete", await del(`${base}/${plain.event.id}`, { token }));
    expectResult("events.delete", await del(`${base}/${plain.event.id}`, { token }));
    expectResult("events.getOne", await get(`${base}/${plain.event.id}`, { token }));
    const synced = expectResult("events.get", await get(base, { token, query: { modifiedSince: 0, includeDeletions: "true", state: "all" } }));
    expect(synced.eventDeletions).toHaveLength(1);
    expectResult("events.get", await get(base, { token, query: { streams: ":_system:account" } }));
    // The trail reaches the account's Durable Object just after each answer: read until it shows.
    let audit: Record<string, any> = { events: [] };
    for (let i = 0; i < 40 && !audit.events.length; i++) {
      audit = expectResult("events.get", await get(base, { token, query: { streams: ":_audit:", limit: 5 } }));
      if (!audit.events.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(audit.events.length).toBeGreaterThan(0);
  });

  it("accesses: create, get with deletions, getOne, update, delete with related, access-info, checkApp", async () => {
    const user = await createUser();
    const token = user.token;
    await createStream(user, { id: "diary", name: "Diary" });
    const base = `/${user.username}/accesses`;
    const permissions = [{ streamId: "diary", level: "manage" }, { feature: "selfRevoke", setting: "forbidden" }];
    const app = expectResult("accesses.create", await post(base, { name: "app-x", type: "app", deviceName: "phone", permissions }, { token }), 201);
    const shared = expectResult(
      "accesses.create",
      await post(base, { name: "by-app", permissions: [{ streamId: "diary", level: "read" }], expireAfter: 3600, clientData: { k: 1 } }, { token: app.access.token }),
      201,
    );
    expectResult("accesses.getOne", await get(`${base}/${shared.access.id}`, { token }));
    expectResult("accesses.update", await put(`${base}/${shared.access.id}`, { name: "renamed", clientData: null }, { token }));
    expectResult("getAccessInfo", await get(`/${user.username}/access-info`, { token }));
    expectResult("getAccessInfo", await get(`/${user.username}/access-info`, { token: shared.access.token }));
    const check = (body: unknown) => post(`${base}/check-app`, body, { token });
    const asked = [{ streamId: "diary", level: "manage", defaultName: "Diary" }, { feature: "selfRevoke", setting: "forbidden" }];
    expectResult("accesses.checkApp", await check({ requestingAppId: "app-x", deviceName: "phone", requestedPermissions: asked }));
    const renamed = expectResult(
      "accesses.checkApp",
      await check({ requestingAppId: "app-x", deviceName: "phone", requestedPermissions: [{ streamId: "new", level: "read", defaultName: "Diary" }] }),
    );
    expect(renamed.mismatchingAccess.id).toBe(app.access.id);
    expect(renamed.error.id).toBe("item-already-exists");
    const deletion = expectResult("accesses.delete", await del(`${base}/${app.access.id}`, { token }));
    expect(deletion.relatedDeletions).toHaveLength(1);
    const listed = expectResult("accesses.get", await get(base, { token, query: { includeDeletions: "true", includeExpired: "true" } }));
    expect(listed.accessDeletions.length).toBe(2);
  });

  it("webhooks and followed slices", async () => {
    const user = await createUser();
    const app = await post(`/${user.username}/accesses`, { name: "hooks", type: "app", permissions: [{ streamId: "*", level: "read" }] }, { token: user.token });
    const appToken = app.body.access.token as string;
    const base = `/${user.username}/webhooks`;
    const created = expectResult("webhooks.create", await post(base, { url: receiver("/ok") }, { token: appToken }), 201);
    const id = created.webhook.id as string;
    expectResult("webhooks.test", await post(`${base}/${id}/test`, {}, { token: appToken }));
    expectResult("webhooks.get", await get(base, { token: user.token }));
    expectResult("webhooks.getOne", await get(`${base}/${id}`, { token: appToken }));
    expectResult("webhooks.update", await put(`${base}/${id}`, { state: "inactive" }, { token: appToken }));
    expectResult("webhooks.delete", await del(`${base}/${id}`, { token: appToken }));

    const slices = `/${user.username}/followed-slices`;
    const slice = { name: "Patient", url: "https://patient.example.com/", accessToken: "patient-token" };
    const made = expectResult("followedSlices.create", await post(slices, slice, { token: user.token }), 201);
    expectResult("followedSlices.get", await get(slices, { token: user.token }));
    expectResult("followedSlices.update", await put(`${slices}/${made.followedSlice.id}`, { name: "Patient 2" }, { token: user.token }));
    expectResult("followedSlices.delete", await del(`${slices}/${made.followedSlice.id}`, { token: user.token }));
  });

  it("access requests: create, pending poll, settled", async () => {
    const ask = { requestingAppId: "results-app", requestedPermissions: [{ streamId: "diary", level: "read", defaultName: "Diary" }] };
    const created = expectResult("accessRequests.create", await post("/reg/access", ask), 201);
    expectResult("accessRequests.poll", await poll(created.key), 201);
    expectResult("accessRequests.update", await settle(created.key, { status: "REFUSED" }), 403);
    expectResult("accessRequests.poll", await poll(created.key), 403);
    const redirected = await createAccessRequest({ requestingAppId: "results-app" });
    expectResult("accessRequests.update", await settle(redirected.key, { status: "REDIRECTED", redirectUrl: "https://app.example.com/done" }), 301);
    const user = await createUser();
    const app = await post(`/${user.username}/accesses`, { name: "results-app", type: "app", permissions: [{ streamId: "*", level: "read" }] }, { token: user.token });
    const accepted = await createAccessRequest({ requestingAppId: "results-app" });
    expectResult("accessRequests.update", await settle(accepted.key, { status: "ACCEPTED", username: user.username, token: app.body.access.token }));
    expectResult("accessRequests.poll", await poll(accepted.key));
    expectResult("accessRequests.poll", await poll(accepted.key));
  });

  it("mfa: activate, confirm, login with mfaToken, challenge, verify, deactivate", async () => {
    const user = await createUser();
    const started = expectResult("mfa.activate", await post(`/${user.username}/mfa/activate`, {}, { token: user.token }), 302);
    expectResult("mfa.confirm", await post(`/${user.username}/mfa/confirm`, { code: totpCode(started.secret) }, { token: started.mfaToken }));
    const pending = expectResult("auth.login", await login(user));
    expectResult("mfa.challenge", await post(`/${user.username}/mfa/challenge`, {}, { token: pending.mfaToken }));
    const session = expectResult("mfa.verify", await post(`/${user.username}/mfa/verify`, { code: nextStepCode(started.secret) }, { token: pending.mfaToken }));
    expectResult("mfa.deactivate", await post(`/${user.username}/mfa/deactivate`, {}, { token: session.token }));
    expect((await activate(user)).mfaToken).toBeTruthy();
  });

  it("admin API and account deletion", async () => {
    const user: TestUser = await createUser();
    expectResult("admin.listUsers", await get("/reg/admin/users", admin));
    expectResult("admin.listUsers", await get("/reg/admin/users", { ...admin, query: { limit: 2 } }));
    const entry = expectResult("admin.getUser", await get(`/reg/admin/users/${user.username}`, admin));
    expectResult("admin.listServers", await get("/reg/admin/servers", admin));
    expectResult("admin.serverUsers", await get(`/reg/admin/servers/${entry.user.core}/users`, admin));
    expectResult("admin.renameServer", await get("/reg/admin/servers/no-such-core/rename/other-core", admin));
    expectResult("admin.listInvitations", await get("/reg/admin/invitations", admin));
    const subdomain = `_acme-challenge.results-${crypto.randomUUID().slice(0, 8)}`;
    expectResult("admin.setDnsRecord", await post("/reg/records", { subdomain, records: { txt: "proof" } }, admin));
    expectResult("admin.listDnsRecords", await get("/reg/records", admin));
    expectResult("admin.deleteDnsRecord", await del(`/reg/records/${subdomain}`, admin));
    expectResult("admin.getTrail", await get("/reg/admin/trail", { ...admin, query: { limit: 5 } }));
    expectResult("auth.delete", await del(`/users/${user.username}`, admin));
    // Last: once the platform has invitations, registering needs one (this file has its own D1).
    expectResult("admin.createInvitations", await post("/reg/admin/invitations", { count: 2, description: "results" }, admin));
    expectResult("admin.createInvitations", await get("/reg/admin/invitations/post", { ...admin, query: { count: 1 } }));
    const [invitation] = expectResult("admin.listInvitations", await get("/reg/admin/invitations", admin)).invitations;
    expectResult("auth.register", await post("/users", registrationBody({ invitationToken: invitation.id })), 201);
    const listed = expectResult("admin.listInvitations", await get("/reg/admin/invitations", admin));
    expect(listed.invitations.filter((i: { consumedBy?: string }) => i.consumedBy)).toHaveLength(1);
  });
});
