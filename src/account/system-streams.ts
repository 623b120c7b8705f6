/**
 * The account's system streams, as the reference defines them: one stream per
 * account field under `:_system:account`, each holding one event whose
 * content is the field's value (the event id is the stream id).
 */

export const ACCOUNT_STREAM_ID = ":_system:account";
/** Item ids starting with these prefixes belong to system streams and cannot be used for ordinary streams. */
export const SYSTEM_ID_PREFIXES = [":_system:", ":system:"] as const;

export type AccountField = "language" | "appId" | "invitationToken" | "referer" | "email" | "dbDocuments" | "attachedFiles";

export interface SystemStream {
  id: string;
  name: string;
  parentId: string | null;
  /** Event type of the field's value (none for container streams). */
  type: string | null;
  field: AccountField | null;
  /** Listed in streams.get (hidden ones are never shown, even to a personal token). */
  shown: boolean;
  editable: boolean;
  /** Unique across the platform (kept in the users table's unique index). */
  unique: boolean;
}

const stream = (s: Partial<SystemStream> & Pick<SystemStream, "id" | "name" | "parentId">): SystemStream => ({
  type: null,
  field: null,
  shown: true,
  editable: true,
  unique: false,
  ...s,
});

export const SYSTEM_STREAMS: readonly SystemStream[] = [
  stream({ id: ACCOUNT_STREAM_ID, name: "Account", parentId: null, editable: false }),
  stream({ id: ":_system:language", name: "Language", parentId: ACCOUNT_STREAM_ID, type: "language/iso-639-1", field: "language" }),
  stream({ id: ":_system:appId", name: "appId", parentId: ACCOUNT_STREAM_ID, type: "identifier/string", field: "appId", shown: false, editable: false }),
  stream({ id: ":_system:invitationToken", name: "Invitation Token", parentId: ACCOUNT_STREAM_ID, type: "token/string", field: "invitationToken", shown: false, editable: false }),
  stream({ id: ":_system:referer", name: "Referer", parentId: ACCOUNT_STREAM_ID, type: "identifier/string", field: "referer", shown: false, editable: false }),
  stream({ id: ":_system:storageUsed", name: "Storage used", parentId: ACCOUNT_STREAM_ID, editable: false }),
  stream({ id: ":_system:dbDocuments", name: "Db Documents", parentId: ":_system:storageUsed", type: "data-quantity/b", field: "dbDocuments", editable: false }),
  stream({ id: ":_system:attachedFiles", name: "Attached files", parentId: ":_system:storageUsed", type: "data-quantity/b", field: "attachedFiles", editable: false }),
  stream({ id: ":system:email", name: "Email", parentId: ACCOUNT_STREAM_ID, type: "email/string", field: "email", unique: true }),
];

const byField = new Map(SYSTEM_STREAMS.filter((s) => s.field).map((s) => [s.field as AccountField, s]));

export function streamOfField(field: AccountField): SystemStream {
  const found = byField.get(field);
  if (!found) throw new Error(`no system stream for account field ${field}`);
  return found;
}

export function isSystemStreamId(id: string): boolean {
  return SYSTEM_ID_PREFIXES.some((prefix) => id.startsWith(prefix));
}

/** The account's system streams as streams.get lists them (hidden ones left out), for a personal token. */
export function shownSystemStreams(created: number) {
  interface Node {
    id: string;
    name: string;
    parentId: string | null;
    children: Node[];
    created: number;
    createdBy: string;
    modified: number;
    modifiedBy: string;
  }
  const shown = SYSTEM_STREAMS.filter((s) => s.shown);
  const build = (s: SystemStream): Node => ({
    id: s.id,
    name: s.name,
    parentId: s.parentId,
    children: shown.filter((c) => c.parentId === s.id).map(build),
    created,
    createdBy: "system",
    modified: created,
    modifiedBy: "system",
  });
  return shown.filter((s) => s.parentId === null).map(build);
}

/** A system stream and the system streams below it. */
export function systemSubtree(id: string, includeHidden = false): string[] {
  const out: string[] = [];
  const visit = (streamId: string) => {
    out.push(streamId);
    for (const child of SYSTEM_STREAMS.filter((s) => s.parentId === streamId)) {
      if (includeHidden || child.shown) visit(child.id);
    }
  };
  if (SYSTEM_STREAMS.some((s) => s.id === id)) visit(id);
  return out;
}

export const HIDDEN_SYSTEM_STREAM_IDS: readonly string[] = SYSTEM_STREAMS.filter((s) => !s.shown).map((s) => s.id);

export function getSystemStream(id: string): SystemStream | undefined {
  return SYSTEM_STREAMS.find((s) => s.id === id);
}
