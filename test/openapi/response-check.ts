/**
 * Holds one HTTP exchange to the OpenAPI document: the operation its verb and
 * path name, the status among that operation's documented responses, the body
 * valid against the documented schema (strict: unknown fields fail), and an
 * error's id among the ids documented for that status.
 */
import { Validator } from "@cfworker/json-schema";
import type { OpenApiDocument } from "../../src/openapi/document";
import { isNotDocumented } from "../../src/openapi/operations";

interface Route {
  verb: string;
  pattern: RegExp;
  literals: number;
  template: string;
  operation: Record<string, any>;
}

export interface Exchange {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

const templateRegExp = (template: string) =>
  new RegExp(`^${template.split("/").map((seg) => (/^\{.+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`);

export class ResponseChecker {
  private readonly routes: Route[] = [];
  private readonly validators = new Map<string, Validator>();
  private readonly defs: Record<string, unknown>;

  /** `domain`: subdomain mode, where `{username}.{domain}/x` is `/{username}/x` and `reg.{domain}/x` is `/reg/x` (src/index.ts). */
  constructor(
    private readonly doc: OpenApiDocument,
    private readonly domain: string | null = null,
  ) {
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [verb, operation] of Object.entries(item)) {
        const aliases = (operation["x-pryv-also-served-at"] as string[] | undefined) ?? [];
        for (const path of [template, ...aliases]) {
          this.routes.push({
            verb,
            pattern: templateRegExp(path),
            literals: path.split("/").filter((seg) => seg && !seg.startsWith("{")).length,
            template,
            operation,
          });
        }
      }
    }
    this.routes.sort((a, b) => b.literals - a.literals);
    this.defs = JSON.parse(JSON.stringify((doc.components as any).schemas).replaceAll('"#/components/schemas/', '"#/$defs/'));
  }

  /** What did not match, or null. */
  check(x: Exchange): string | null {
    const verb = x.method.toLowerCase();
    if (verb === "options" || verb === "head") return null; // CORS preflights, answered for any path
    const raw = this.pathForm(new URL(x.url));
    let path = raw;
    try {
      path = decodeURI(raw);
    } catch {
      // malformed percent-encoding: matched as sent
    }
    if (isNotDocumented(path)) return null;
    const route = this.routes.find((r) => r.verb === verb && r.pattern.test(path));
    const where = `${x.method} ${raw} → ${x.status}`;
    let parsed: any;
    const isJson = x.contentType.includes("json");
    if (isJson && x.body) {
      try {
        parsed = JSON.parse(x.body);
      } catch {
        return `${where}: the body is not JSON although typed ${x.contentType}`;
      }
    }
    if (!route) {
      // An unknown path is answered as the app's not-found handler does; nothing else may be served undocumented.
      if (x.status === 404 && parsed?.error?.id === "unknown-resource") return null;
      return `${where}: no documented operation for ${x.method} ${path}`;
    }
    const op = route.operation;
    const name = `${op.operationId} (${x.method} ${route.template})`;
    const response = op.responses[String(x.status)];
    if (!response) {
      return `${name}: status ${x.status} is not documented (documented: ${Object.keys(op.responses).join(", ")})${parsed?.error ? `; error ${JSON.stringify(parsed.error)}` : ""}`;
    }
    const content = response.content as Record<string, { schema: unknown }> | undefined;
    if (!content) return x.body ? `${name}: status ${x.status} is documented without a body, got ${x.contentType}` : null;
    const media = x.contentType.split(";")[0]!.trim();
    const documented = content[media] ? media : isJson && content["application/json"] ? "application/json" : content["*/*"] ? "*/*" : null;
    const entry = documented ? content[documented] : undefined;
    if (!entry) {
      if (!x.body && x.status >= 300 && x.status < 400) return null;
      return `${name}: status ${x.status} answered ${media || "no content type"}, documented ${Object.keys(content).join(", ")}`;
    }
    if (!isJson || documented === "*/*") return null;
    const key = `${op.operationId} ${x.status}`;
    let validator = this.validators.get(key);
    if (!validator) {
      const schema = JSON.parse(JSON.stringify(entry.schema).replaceAll('"#/components/schemas/', '"#/$defs/'));
      validator = new Validator({ ...schema, $defs: this.defs }, "2020-12", false);
      this.validators.set(key, validator);
    }
    const result = validator.validate(parsed);
    if (result.valid) return null;
    if (parsed?.error?.id && x.status >= 400) {
      const ids = this.documentedIds(entry.schema);
      if (ids && !ids.includes(parsed.error.id)) {
        return `${name}: error id "${parsed.error.id}" is not documented for status ${x.status} (documented: ${ids.join(", ")}); error ${JSON.stringify(parsed.error).slice(0, 300)}`;
      }
    }
    const problems = result.errors
      .filter((e) => !/^(properties|\$ref|allOf|anyOf|items|prefixItems)$/.test(e.keyword) || result.errors.length <= 3)
      .slice(0, 6)
      .map((e) => `${e.instanceLocation}: ${e.error}`);
    return `${name}: status ${x.status} body does not match the documented schema: ${problems.join("; ")} — body ${x.body.slice(0, 400)}`;
  }

  private pathForm(url: URL): string {
    const host = url.hostname.toLowerCase();
    if (!this.domain || !host.endsWith(`.${this.domain}`)) return url.pathname;
    const sub = host.slice(0, -(this.domain.length + 1));
    if (sub.includes(".")) return url.pathname;
    return sub === "reg" || sub === "access" ? `/reg${url.pathname}` : `/${sub}${url.pathname}`;
  }

  private documentedIds(schema: any): string[] | null {
    const branches: any[] = schema.anyOf ?? [schema];
    const ids = branches.flatMap((b) => b?.properties?.error?.properties?.id?.enum ?? []);
    return ids.length ? ids : null;
  }
}
