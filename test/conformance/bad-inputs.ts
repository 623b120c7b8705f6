/**
 * Every HTTP-bound method × a corpus of bad inputs: the answer is always a
 * Pryv error or result with its envelope (checked by the request helper),
 * never a 500, and a refused call changes nothing.
 *
 * The routes are split over a few test files by domain (`GROUPS`): the test
 * pool's `SELF.fetch` slows down with every request a file has sent
 * (cloudflare/workers-sdk#15446), so one file sending them all would take
 * minutes; each file gets a fresh runtime.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { httpRoutes } from "../../src/app";
import { request, TEST_ADMIN_KEY } from "../helpers/api";
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

/** One test sends up to 88 calls, each followed by a snapshot: generous, so a slow CI machine does not time out. */
const PER_ROUTE_TIMEOUT_MS = 120_000;

/** Which file checks which methods, by method id. */
export const GROUPS = {
  "register and account": (id: string) => /^(auth|admin|apps|account|profile|mfa|accessRequests)\./.test(id),
  "streams, events and attachments": (id: string) => /^(streams|events)\./.test(id),
  accesses: (id: string) => /^(accesses|webhooks|followedSlices)\./.test(id) || id === "getAccessInfo",
} satisfies Record<string, (methodId: string) => boolean>;

/** Each HTTP-bound method is checked by exactly one file. */
export function groupsCoverEveryRoute(): void {
  it("every HTTP-bound method belongs to exactly one group", () => {
    const groupsOf = (methodId: string) => Object.values(GROUPS).filter((inGroup) => inGroup(methodId)).length;
    const unplaced = httpRoutes().filter((route) => groupsOf(route.methodId) !== 1);
    expect(unplaced.map((route) => route.methodId)).toEqual([]);
  });
}

export function checkBadInputs(group: keyof typeof GROUPS): void {
  const routes = httpRoutes().filter((route) => GROUPS[group](route.methodId));
  describe(`bad inputs on every HTTP-bound method: ${group}`, () => {
    for (const route of routes) {
      it(`${route.verb.toUpperCase()} ${route.fullPath} (${route.methodId})`, () => sendBadInputs(route), PER_ROUTE_TIMEOUT_MS);
    }
  });
}

async function sendBadInputs(route: ReturnType<typeof httpRoutes>[number]): Promise<void> {
  const user = await createUser();
  const admin = route.methodId.startsWith("admin.");
  const token = admin ? TEST_ADMIN_KEY : user.token;
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
}
