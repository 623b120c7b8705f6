/** The service info document and the URLs derived from it. */
import type { Config } from "../config";
import { API_VERSION } from "../http/meta";

export interface ServiceInfo {
  api: string;
  register: string;
  access: string;
  name: string;
  home: string;
  support: string;
  terms: string;
  eventTypes: string;
  serial: string;
  version: string;
  features: { noHF: boolean; contentQueries: boolean };
  /** The assets index (favicon, stylesheet, the official client's sign-in button), served by src/pages/. */
  assets: { definitions: string };
}

/** Base URL of the register (`…/reg/` DNS-less, `https://reg.{domain}/` with a domain). */
export function registerUrl(config: Config): string {
  // A core serves no register: it names the one it reports to.
  if (!config.domain && config.role === "core" && config.register.url) return `${config.register.url}/reg/`;
  if (!config.domain) return `${config.publicUrl}/reg/`;
  return `${new URL(config.publicUrl).protocol}//reg.${config.domain}/`;
}

/** The per-user API root template, with `{username}` to substitute. */
export function apiTemplate(config: Config): string {
  if (!config.domain) return `${config.publicUrl}/{username}/`;
  return `${new URL(config.publicUrl).protocol}//{username}.${config.domain}/`;
}

/** `http(s)://[{token}@]host/…{username}…/`, the form Pryv clients take as a connection string. */
export function apiEndpoint(config: Config, username: string, token?: string): string {
  const root = apiTemplate(config).replace("{username}", username);
  return token ? root.replace("://", `://${token}@`) : root;
}

export function serviceInfo(config: Config): ServiceInfo {
  return {
    api: apiTemplate(config),
    register: registerUrl(config),
    access: `${registerUrl(config)}access/`,
    name: config.service.name,
    home: config.service.home,
    support: config.service.support,
    terms: config.service.terms,
    eventTypes: config.service.eventTypes,
    serial: config.service.serial,
    version: API_VERSION,
    // High-frequency series are not served; events.get takes `content` / `clientData` conditions.
    // Clients (e.g. the pryv library) check these flags.
    features: { noHF: true, contentQueries: true },
    assets: { definitions: `${registerUrl(config)}assets/index.json` },
  };
}
