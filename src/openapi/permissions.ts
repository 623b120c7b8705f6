/** What an operation needs, in words and as OpenAPI security requirements (from the method's `permission`). */
import type { MethodPermission } from "../methods/method";

export function permissionInWords(permission: MethodPermission): string {
  switch (permission.kind) {
    case "public":
      return "None: no token needed.";
    case "admin":
      return "The operator's admin key (ADMIN_KEY) in `Authorization`.";
    case "personal-or-admin":
      return "The account's personal token, or the operator's admin key.";
    case "access": {
      const types = [...permission.types];
      const who =
        types.length === 1 && types[0] === "personal"
          ? "The account's personal token only."
          : types.length === 3
            ? "Any token of the account (personal, app or shared); what it may read or write is decided per stream by the access's permissions."
            : `A token of type ${types.join(" or ")}; what it may read or write is decided by the access's permissions.`;
      return permission.optional ? `${who} The token is optional: without one the call sees only what needs no access.` : who;
    }
  }
}

export function securityOf(permission: MethodPermission): Record<string, string[]>[] {
  switch (permission.kind) {
    case "public":
      return [];
    case "admin":
      return [{ adminKey: [] }];
    case "personal-or-admin":
      return [{ token: [] }, { tokenQuery: [] }, { adminKey: [] }];
    case "access":
      return [{ token: [] }, { tokenQuery: [] }, ...(permission.optional ? [{}] : [])];
  }
}
