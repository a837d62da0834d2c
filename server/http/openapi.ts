import { z } from "zod";
import { registerSchema } from "../accounts/registration.js";
import { resendSchema, verifySchema } from "../accounts/verification.js";
import { loginSchema } from "../accounts/login.js";
import { changeSchema, confirmSchema, requestSchema } from "../accounts/password.js";
import { schema as emailChangeSchema } from "../accounts/email-change.js";
import { schema as setupSchema } from "../accounts/setup.js";
import { profileSchema } from "../accounts/fields.js";
import { directorySchema } from "../organizations/directory.js";
import { newAccountSchema } from "../organizations/accept.js";
import { listSchema as invitationListSchema, sendSchema } from "../organizations/invitations.js";
import { createSchema as orgCreateSchema, patchSchema as orgPatchSchema } from "../organizations/manage.js";
import { searchSchema } from "../admin/users.js";
import { createSchema as userCreateSchema, temporaryPasswordSchema, updateSchema as userUpdateSchema } from "../admin/user-actions.js";
import { declineSchema } from "../admin/user-status.js";
import { batchSchema } from "../admin/user-delete.js";
import { exportSchema } from "../admin/export.js";
import { patchSchema as settingsPatchSchema } from "../admin/server-settings.js";
import { createSchema as apiKeyCreateSchema } from "../admin/api-keys.js";
import { listQuerySchema } from "../pagination.js";
import { querySchema as auditQuerySchema } from "../admin/audit-query.js";
import { listSchema as mailListSchema, testSchema as mailTestSchema } from "../mail/admin.js";
import { errorCodes } from "../errors.js";

type Auth = "none" | "user" | "member" | "admin" | "owner" | "api_key";
export interface Operation {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The success status and what it returns. */
  ok: [number, string];
  errors?: number[];
}

const op = (method: Operation["method"], path: string, tag: string, summary: string, auth: Auth, ok: [number, string], more: Partial<Operation> = {}): Operation => ({ method, path, tag, summary, auth, ok, ...more });
const ACCOUNT = "the account";
const LIST = "a list: {items, nextCursor, total}";

/**
 * Every JSON API operation, with the zod schemas that validate it: the same
 * objects the services parse with, so the document cannot drift from the code.
 */
export const operations: Operation[] = [
  op("get", "/api/v1/server", "server", "Server name, version and registration policy", "none", [200, "{name, version, registration, verificationRequired}"]),
  op("post", "/api/v1/auth/register", "auth", "Register (the first account also creates the organization)", "none", [201, "{user, verificationRequired}"], { body: registerSchema, errors: [400, 403, 409, 429] }),
  op("post", "/api/v1/auth/verify-email", "auth", "Confirm an address with the mailed token, or email and 6-digit code", "none", [200, "{user}"], { body: verifySchema, errors: [400, 409, 410, 429] }),
  op("post", "/api/v1/auth/resend-verification", "auth", "Send the confirmation mail again (once a minute)", "none", [202, "nothing"], { body: resendSchema, errors: [400, 429] }),
  op("post", "/api/v1/auth/login", "auth", "Log in with email or user ID; a session per device", "none", [200, "{token, expiresAt, user}"], { body: loginSchema, errors: [400, 401, 403, 429] }),
  op("post", "/api/v1/auth/logout", "auth", "End the current session", "user", [204, "nothing"]),
  op("post", "/api/v1/auth/password-reset", "auth", "Mail a reset link (always 202)", "none", [202, "nothing"], { body: requestSchema, errors: [400, 429] }),
  op("post", "/api/v1/auth/password-reset/confirm", "auth", "Set a new password with the reset token; ends every session", "none", [204, "nothing"], { body: confirmSchema, errors: [400, 410] }),
  op("post", "/api/v1/auth/setup", "auth", "An admin-created account chooses its password", "none", [200, "{user}"], { body: setupSchema, errors: [400, 410, 429] }),
  op("get", "/api/v1/me", "me", "The caller's account", "user", [200, ACCOUNT]),
  op("patch", "/api/v1/me", "me", "Edit the caller's profile", "user", [200, ACCOUNT], { body: profileSchema, errors: [400] }),
  op("post", "/api/v1/me/password", "me", "Change the password; ends every other session", "user", [204, "nothing"], { body: changeSchema, errors: [400, 429] }),
  op("post", "/api/v1/me/email", "me", "Change the email address (confirmed by a link to the new one)", "user", [202, "nothing"], { body: emailChangeSchema, errors: [400, 429] }),
  op("get", "/api/v1/me/sessions", "me", "The caller's sessions, the current one marked", "user", [200, LIST], { query: listQuerySchema, errors: [400] }),
  op("delete", "/api/v1/me/sessions", "me", "End every other session", "user", [204, "nothing"]),
  op("delete", "/api/v1/me/sessions/{id}", "me", "End one session", "user", [204, "nothing"], { errors: [404] }),
  op("get", "/api/v1/directory", "directory", "Active members of the caller's organization", "member", [200, LIST], { query: directorySchema, errors: [400, 403] }),
  op("get", "/api/v1/groups", "directory", "The group tree with member counts", "member", [200, "{items, ungrouped, total}"], { errors: [403] }),
  op("get", "/api/v1/invitations/{token}", "invitations", "What a registration request is", "none", [200, "the request, with mode"], { errors: [400] }),
  op("post", "/api/v1/invitations/{token}/accept", "invitations", "Accept: a new account, or a personal account moving in (its session)", "none", [201, "{user, token, expiresAt} or {user}"], { body: newAccountSchema, errors: [400, 401, 403, 409, 410] }),
  op("post", "/api/v1/introspect", "introspection", "RFC 7662 token introspection (form or JSON `token`)", "api_key", [200, "{active, sub, username, type, organization, exp}"], { errors: [401] }),
  op("get", "/api/v1/admin/users", "admin users", "Search accounts (substring over userId, email, nickname)", "admin", [200, LIST], { query: searchSchema, errors: [400, 403] }),
  op("post", "/api/v1/admin/users", "admin users", "Create an account (setup mail, password, or setup link)", "admin", [201, "{user, outcome, setupUrl?}"], { body: userCreateSchema, errors: [400, 403, 409] }),
  op("get", "/api/v1/admin/users/export", "admin users", "Export as CSV or JSON (streamed)", "admin", [200, "a file"], { query: exportSchema, errors: [400, 403] }),
  op("post", "/api/v1/admin/users/import", "admin users", "Import CSV or JSON rows (?dryRun=true checks only)", "admin", [200, "{dryRun, total, valid, created, failed, results}"], { errors: [400, 403, 413] }),
  op("post", "/api/v1/admin/users/batch-delete", "admin users", "Delete many; per-id results", "admin", [200, "{results}"], { body: batchSchema, errors: [400, 403] }),
  op("get", "/api/v1/admin/users/{id}", "admin users", "Read an account", "admin", [200, ACCOUNT], { errors: [404] }),
  op("patch", "/api/v1/admin/users/{id}", "admin users", "Edit an account", "admin", [200, ACCOUNT], { body: userUpdateSchema, errors: [400, 404, 409] }),
  op("delete", "/api/v1/admin/users/{id}", "admin users", "Delete an account (when deletion is unlocked)", "admin", [204, "nothing"], { errors: [403, 404, 409] }),
  ...(["disable", "enable", "promote", "demote", "approve", "verify-email"] as const).map((a) =>
    op("post", `/api/v1/admin/users/{id}/${a}`, "admin users", `${a[0]?.toUpperCase()}${a.slice(1).replace("-", " ")} an account`, "admin", [200, ACCOUNT], { errors: [400, 403, 404, 409] }),
  ),
  op("post", "/api/v1/admin/users/{id}/setup-link", "admin users", "A new setup link for an invited account (the earlier one stops working): mailed, or returned to hand over when it has no address", "admin", [200, "{user, outcome, setupUrl?}"], { errors: [400, 403, 404] }),
  op("post", "/api/v1/admin/users/{id}/password", "admin users", "Set a temporary password, changed at the next log in; ends the account's sessions and lifts its log-in lock", "admin", [200, ACCOUNT], { body: temporaryPasswordSchema, errors: [400, 403, 404] }),
  op("post", "/api/v1/admin/users/{id}/decline", "admin users", "Decline an application with a reason (mailed); the account is removed", "admin", [204, "nothing"], { body: declineSchema, errors: [400, 404] }),
  op("delete", "/api/v1/admin/users/{id}/sessions", "admin users", "End every session of an account", "admin", [204, "nothing"], { errors: [404] }),
  op("get", "/api/v1/admin/invitations", "admin invitations", "Registration requests", "admin", [200, LIST], { query: invitationListSchema }),
  op("post", "/api/v1/admin/invitations", "admin invitations", "Send registration requests (one or many addresses)", "admin", [201, "the request, or {results} for many"], { body: sendSchema, errors: [400, 409] }),
  op("delete", "/api/v1/admin/invitations/{id}", "admin invitations", "Revoke a request", "admin", [204, "nothing"], { errors: [400, 404] }),
  op("post", "/api/v1/admin/invitations/{id}/resend", "admin invitations", "Resend with a new link", "admin", [200, "the request"], { errors: [400, 404] }),
  op("get", "/api/v1/admin/organizations", "admin organizations", "Organizations (owners: all)", "admin", [200, LIST], { query: listQuerySchema, errors: [400] }),
  op("post", "/api/v1/admin/organizations", "admin organizations", "Create an organization", "owner", [201, "the organization"], { body: orgCreateSchema, errors: [400, 403] }),
  op("patch", "/api/v1/admin/organizations/{id}", "admin organizations", "Rename, claim domains, limits", "owner", [200, "the organization"], { body: orgPatchSchema, errors: [400, 403, 404] }),
  op("get", "/api/v1/admin/settings", "admin settings", "Server settings", "owner", [200, "{registration, verificationRequired, deletionLocked, serverName}"], { errors: [403] }),
  op("patch", "/api/v1/admin/settings", "admin settings", "Change server settings (unlocking deletion needs confirmDeletionUnlock)", "owner", [200, "the settings"], { body: settingsPatchSchema, errors: [400, 403] }),
  op("get", "/api/v1/admin/api-keys", "admin api keys", "API keys with last use", "admin", [200, LIST], { query: listQuerySchema, errors: [400] }),
  op("post", "/api/v1/admin/api-keys", "admin api keys", "Create an API key (shown once)", "admin", [201, "{id, name, key, …}"], { body: apiKeyCreateSchema, errors: [400] }),
  op("delete", "/api/v1/admin/api-keys/{id}", "admin api keys", "Revoke an API key", "admin", [204, "nothing"], { errors: [404] }),
  op("get", "/api/v1/admin/audit", "admin audit", "The audit log, newest first", "admin", [200, LIST], { query: auditQuerySchema, errors: [400] }),
  op("get", "/api/v1/admin/audit/verify", "admin audit", "Verify the audit log's hash chain (the result is kept for a minute)", "admin", [200, "{ok, entries, brokenAt?, checkedAt}"]),
  op("get", "/api/v1/admin/storage", "admin settings", "The data volume: database size, space left (and whether it is low), nightly backups", "owner", [200, "{databaseBytes, volume, low, lowBelowBytes, backups}"], { errors: [403] }),
  op("get", "/api/v1/admin/mail", "admin mail", "The outbound mail queue", "admin", [200, LIST], { query: mailListSchema, errors: [400] }),
  op("get", "/api/v1/admin/mail/health", "admin mail", "Messages by state, and the transport", "admin", [200, "{transport, counts}"]),
  op("get", "/api/v1/admin/mail/{id}", "admin mail", "One message in full", "admin", [200, "the message"], { errors: [404] }),
  op("post", "/api/v1/admin/mail/{id}/retry", "admin mail", "Try a deferred or failed message again now", "admin", [200, "the message"], { errors: [400, 404] }),
  op("post", "/api/v1/admin/mail/test", "admin mail", "Send a test mail and report the upstream's answer", "admin", [200, "the message"], { body: mailTestSchema, errors: [400] }),
  op("get", "/healthz", "server", "Alive", "none", [200, "{status}"]),
  op("get", "/readyz", "server", "Database and migrations ready", "none", [200, "{status}"], { errors: [503] }),
];

const jsonSchema = (s: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

const security: Record<Auth, object[]> = {
  none: [],
  user: [{ bearer: [] }, { cookie: [] }],
  /** A member's session, or an API key (a chat server), for the key's organization. */
  member: [{ bearer: [] }, { cookie: [] }, { apiKey: [] }],
  admin: [{ bearer: [] }, { cookie: [] }, { apiKey: [] }],
  owner: [{ bearer: [] }, { cookie: [] }, { apiKey: [] }],
  api_key: [{ apiKey: [] }],
};

/** The OpenAPI 3.1 document of the JSON API (GET /api/openapi.json). */
export function openApiDocument(version: string, baseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const o of operations) {
    const params = [...o.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (o.query) {
      const q = jsonSchema(o.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: "query", required: false, schema } as never);
    }
    const responses: Record<string, unknown> = { [String(o.ok[0])]: { description: o.ok[1] } };
    for (const status of o.errors ?? []) {
      const codes = Object.entries(errorCodes).filter(([, e]) => e.status === status).map(([c]) => c);
      responses[String(status)] = { description: codes.join(", ") || "problem", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };
    }
    (paths[o.path] ??= {})[o.method] = {
      tags: [o.tag],
      summary: o.summary,
      security: security[o.auth],
      ...(params.length ? { parameters: params } : {}),
      ...(o.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(o.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Roster", version, description: "The on-premise account server for a team chat. Errors are RFC 9457 problem details with a stable `code`." },
    servers: [{ url: baseUrl }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A session token from POST /api/v1/auth/login" },
        cookie: { type: "apiKey", in: "cookie", name: "roster_session" },
        apiKey: { type: "http", scheme: "bearer", description: "An API key (rk_…) acting with its creator's rights" },
      },
      schemas: {
        Problem: {
          type: "object",
          required: ["type", "title", "status", "detail", "code"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            code: { type: "string", enum: Object.keys(errorCodes) },
            errors: { type: "object", additionalProperties: { type: "string" } },
          },
        },
      },
    },
  };
}
