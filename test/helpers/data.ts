/** Streams and events for tests (through the API, as a client would). */
import { expect } from "vitest";
import { get, post } from "./api";
import type { TestUser } from "./users";

export async function createStream(user: TestUser, stream: Record<string, unknown>, token = user.token) {
  const res = await post(`/${user.username}/streams`, stream, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.stream as { id: string; name: string; parentId: string | null };
}

export async function createEvent(user: TestUser, event: Record<string, unknown>, token = user.token) {
  const res = await post(`/${user.username}/events`, { type: "note/txt", content: "x", ...event }, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.event as Record<string, any> & { id: string; modified: number };
}

/** events.get over HTTP; returns the parsed body. */
export async function getEvents(user: TestUser, query: Record<string, string | number | boolean | string[]> = {}, token = user.token) {
  const res = await get(`/${user.username}/events`, { token, query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { events: ApiEventLike[]; eventDeletions?: { id: string; deleted: number }[] };
}

export const ids = (items: { id: string }[]) => items.map((i) => i.id);
/** Ordinary events only (the account's field events have ids starting with ":"). */
export const own = <T extends { id: string }>(items: T[]) => items.filter((i) => !i.id.startsWith(":"));

export type ApiEventLike = Record<string, any> & { id: string; time: number; modified: number };
