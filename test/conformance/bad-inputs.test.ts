/**
 * Every HTTP-bound method × a corpus of bad inputs: the answer is always a
 * Pryv error or result with its envelope (checked by the request helper),
 * never a 500, and a refused call changes nothing.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { httpRoutes } from "../../src/app";
import { request } from "../helpers/api";
import { accountSnapshot } from "../helpers/db";
import { createUser } from "../helpers/users";

const deep = (depth: number): unknown => (depth === 0 ? "leaf" : { nested: deep(depth - 1) });

const BODIES: unknown[] = [
  null,
  [],
  [{ method: "account.get" }],
  "text",
  42,
  true,
  {},
  deep(300),
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
  { username: [], password: {}, email: 1, appId: null, update: "x", id: {}, oldPassword: 1, newPassword: [], count: "many" },
  { username: "x".repeat(5000), email: `${"y".repeat(5000)}@z`, password: "p".repeat(5000), language: "\u0000" },
];

const QUERIES: Record<string, string>[] = [
  {},
  { limit: "-1", skip: "abc", count: "1e9" },
  { username: "", email: "" },
  { username: "\u0000", email: "%" },
];

const PATH_VALUES = ["%00", "x".repeat(300), "..", "%2E%2E%2F", "%E2%80%AE", "UPPER-Case", "a%40b"];

async function usersCount(): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM users").first<{ n: number }>())!.n;
}

describe("bad inputs on every HTTP-bound method", () => {
  for (const route of httpRoutes()) {
    it(`${route.verb.toUpperCase()} ${route.fullPath} (${route.methodId})`, async () => {
      const user = await createUser();
      const admin = route.methodId.startsWith("admin.");
      const token = admin ? "dev-admin-key" : user.token;
      const pathParams = route.fullPath.match(/:[a-z]+/gi)?.filter((p) => p !== ":username") ?? [];
      const paths = [route.fullPath.replace(":username", user.username)];
      for (const value of PATH_VALUES) {
        if (pathParams.length) paths.push(paths[0]!.replace(/:[a-z]+/gi, value));
      }
      const hasBody = route.verb === "post" || route.verb === "put";
      const inputs = hasBody ? BODIES.map((body) => ({ rawBody: JSON.stringify(body) })) : QUERIES.map((query) => ({ query }));

      // A refused call leaves the state as it was: only a successful one calls for a new "before".
      let before = await accountSnapshot(user.username);
      let usersBefore = await usersCount();
      for (const path of paths) {
        for (const input of inputs) {
          const res = await request(route.verb.toUpperCase(), path, {
            ...input,
            token,
            headers: { "Content-Type": "application/json", Origin: "http://127.0.0.1:8787" },
          });
          const after = await accountSnapshot(user.username);
          if (res.status >= 400) {
            expect(after, `${path} ${JSON.stringify(input)} changed data`).toEqual(before);
            expect(await usersCount()).toBe(usersBefore);
          } else {
            before = after;
            usersBefore = await usersCount();
          }
        }
      }
    });
  }
});
