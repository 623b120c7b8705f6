/** Uploads, downloads and R2 checks for attachment tests. */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { BASE, expectEnvelope } from "./api";
import { userRow } from "./db";

export function bytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x & 0xff;
  }
  return out;
}

export async function sha256(data: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return `sha256-${btoa(binary)}`;
}

export async function upload(path: string, form: FormData | BodyInit, token: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${BASE}${path}`, { method: "POST", headers: { Authorization: token, ...headers }, body: form });
  const body = (await res.json()) as any;
  expectEnvelope(res.status, body);
  return { status: res.status, body, headers: res.headers };
}

export function eventForm(event: object, files: { field?: string; data: Uint8Array | string; name: string; type?: string }[]) {
  const form = new FormData();
  form.append("event", JSON.stringify(event));
  for (const f of files) form.append(f.field ?? "file", new Blob([f.data], { type: f.type ?? "application/octet-stream" }), f.name);
  return form;
}

export async function download(path: string, init: RequestInit = {}) {
  return SELF.fetch(`${BASE}${path}`, init);
}

/** The R2 keys of an account (by username, or by its internal id once deleted). */
export async function objectsOf(user: string | number): Promise<string[]> {
  const id = typeof user === "number" ? user : (await userRow(user))!.id;
  const listed = await env.FILES.list({ prefix: `${id}/` });
  return listed.objects.map((o) => o.key);
}

/** Waits (briefly) until the account's objects are exactly `count` (removal happens just after the answer). */
export async function settleObjects(user: string | number, count: number): Promise<string[]> {
  let keys: string[] = [];
  for (let i = 0; i < 100; i++) {
    keys = await objectsOf(user);
    if (keys.length === count) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return keys;
}
