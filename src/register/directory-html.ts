/**
 * `toHTML=true` on the admin directory routes (as the reference offers): the
 * method's result as plain HTML tables, every value escaped. Same method, same
 * key check: only the rendering differs.
 */
import type { Context, Next } from "hono";
import type { AppEnv } from "../http/app-env";
import { callMethod, outcomeResponse, queryObject } from "../http/bind";
import { StreamedResult } from "../methods/streamed";

const escapeHtml = (value: unknown) =>
  String(value ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function table(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.map((row) => `<tr>${columns.map((c) => `<td>${escapeHtml(row[c])}</td>`).join("")}</tr>`).join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Each array of the result as a table; objects of counts as two-column tables. */
function page(result: Record<string, unknown>): string {
  const sections = Object.entries(result).map(([key, value]) => {
    const rows = Array.isArray(value)
      ? (value as Record<string, unknown>[])
      : value && typeof value === "object"
        ? Object.entries(value).map(([name, v]) => ({ name, value: v }))
        : [{ value }];
    return `<h2>${escapeHtml(key)}</h2>\n${table(rows)}`;
  });
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>Admin</title></head><body>\n${sections.join("\n")}\n</body></html>`;
}

const MAX_HTML_ROWS = 100_000;

/** Middleware for a GET admin route bound to `methodId`: renders HTML when `toHTML=true`, else passes on. */
export function htmlWhenAsked(methodId: string, build: (c: Context<AppEnv>) => Record<string, unknown>) {
  return async (c: Context<AppEnv>, next: Next) => {
    if (c.req.query("toHTML") !== "true") return next();
    const outcome = await callMethod(c, methodId, { ...queryObject(c.req.url), ...build(c) });
    if (!outcome.ok) return outcomeResponse(c, outcome);
    const result =
      outcome.result instanceof StreamedResult ? await outcome.result.drain(MAX_HTML_ROWS) : (outcome.result as Record<string, unknown>);
    return c.html(page(result), 200, { "Content-Security-Policy": "default-src 'none'" });
  };
}
