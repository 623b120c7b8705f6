/** File names and types from clients, made safe for storage and response headers. */

const MAX_NAME_LENGTH = 255;

/** The last path segment, without control characters, at most 255 characters; "file" if nothing is left. */
export function safeFileName(name: string | null): string {
  const base = (name ?? "").split(/[/\\]/).pop() ?? "";
  const cleaned = [...base.replace(/[\u0000-\u001f\u007f]/g, "").trim()].slice(0, MAX_NAME_LENGTH).join("");
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "file" : cleaned;
}

/** A plain `type/subtype`, else `application/octet-stream` (parameters dropped). */
export function safeContentType(type: string | null): string {
  const bare = (type ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(bare) ? bare : "application/octet-stream";
}

/** `attachment` with an ASCII fallback and the exact name (RFC 6266 / 5987): no header injection possible. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
