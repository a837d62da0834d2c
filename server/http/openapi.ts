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
import { auditExportSchema } from "../admin/audit-export.js";
import { listSchema as mailListSchema, testSchema as mailTestSchema } from "../mail/admin.js";
import { errorCodes } from "../errors.js";
import { introspectSchema } from "../admin/introspect.js";
import * as r from "./openapi-responses.js";

type Auth = "none" | "user" | "member" | "admin" | "owner" | "api_key";
/** A status, what it means, and the schema of its JSON body (none: the answer has no body). */
export type Answer = [status: number, description: string, schema?: z.ZodType];
export interface Operation {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodType;
  /** The success answer; its schema is one of openapi-responses.ts's named schemas. */
  ok: Answer;
  /** Other answers that are not problem details: a second success, or a probe's failure. */
  also?: Answer[];
  /** The answer is a download: `schema` is its JSON form, and it may be CSV instead. */
  file?: boolean;
  /** The body may also be form-encoded (RFC 7662's way), with the same fields. */
  form?: boolean;
  /** The body is a file: CSV, or JSON rows of `body`'s shape. */
  upload?: boolean;
  errors?: number[];
}

const op = (method: Operation["method"], path: string, tag: string, summary: string, auth: Auth, ok: Answer, more: Partial<Operation> = {}): Operation => ({ method, path, tag, summary, auth, ok, ...more });
const ACCOUNT = "the account";
const LIST = "a page of the list";
const NOTHING = "nothing";

/**
 * Every JSON API operation, with the zod schemas that validate it: the same
 * objects the services parse with, so the document cannot drift from the code.
 */
export const operations: Operation[] = [
  op("get", "/api/v1/server", "server", "Server name, version and registration policy", "none", [200, "{name, version, registration, verificationRequired}", r.ServerInfo]),
  op("post", "/api/v1/auth/register", "auth", "Register (the first account also creates the organization)", "none", [201, "{user, verificationRequired}", r.Registered], { body: registerSchema, errors: [400, 403, 409, 429] }),
  op("post", "/api/v1/auth/verify-email", "auth", "Confirm an address with the mailed token, or email and 6-digit code", "none", [200, "{user}", r.UserEnvelope], { body: verifySchema, errors: [400, 409, 410, 429] }),
  op("post", "/api/v1/auth/resend-verification", "auth", "Send the confirmation mail again (once a minute)", "none", [202, NOTHING], { body: resendSchema, errors: [400, 429] }),
  op("post", "/api/v1/auth/login", "auth", "Log in with email or user ID; a session per device", "none", [200, "{token, expiresAt, user}", r.LoggedIn], { body: loginSchema, errors: [400, 401, 403, 429] }),
  op("post", "/api/v1/auth/logout", "auth", "End the current session", "user", [204, NOTHING]),
  op("post", "/api/v1/auth/password-reset", "auth", "Mail a reset link (always 202)", "none", [202, NOTHING], { body: requestSchema, errors: [400, 429] }),
  op("post", "/api/v1/auth/password-reset/confirm", "auth", "Set a new password with the reset token; ends every session", "none", [204, NOTHING], { body: confirmSchema, errors: [400, 410] }),
  op("post", "/api/v1/auth/setup", "auth", "An admin-created account chooses its password", "none", [200, "{user}", r.UserEnvelope], { body: setupSchema, errors: [400, 410, 429] }),
  op("get", "/api/v1/me", "me", "The caller's account", "user", [200, ACCOUNT, r.Account]),
  op("patch", "/api/v1/me", "me", "Edit the caller's profile", "user", [200, ACCOUNT, r.Account], { body: profileSchema, errors: [400] }),
  op("post", "/api/v1/me/password", "me", "Change the password; ends every other session", "user", [204, NOTHING], { body: changeSchema, errors: [400, 429] }),
  op("post", "/api/v1/me/email", "me", "Change the email address (confirmed by a link to the new one)", "user", [202, NOTHING], { body: emailChangeSchema, errors: [400, 429] }),
  op("get", "/api/v1/me/sessions", "me", "The caller's sessions, the current one marked", "user", [200, LIST, r.SessionList], { query: listQuerySchema, errors: [400] }),
  op("delete", "/api/v1/me/sessions", "me", "End every other session", "user", [204, NOTHING]),
  op("delete", "/api/v1/me/sessions/{id}", "me", "End one session", "user", [204, NOTHING], { errors: [404] }),
  op("get", "/api/v1/directory", "directory", "Active members of the caller's organization", "member", [200, LIST, r.MemberList], { query: directorySchema, errors: [400, 403] }),
  op("get", "/api/v1/groups", "directory", "The group tree with member counts", "member", [200, "{items, ungrouped, total}", r.GroupTree], { errors: [403] }),
  op("get", "/api/v1/invitations/{token}", "invitations", "What a registration request is", "none", [200, "the request, with mode", r.InvitationView], { errors: [400] }),
  op("post", "/api/v1/invitations/{token}/accept", "invitations", "Accept: a new account, or a personal account moving in (its session)", "none", [201, "{user, token, expiresAt}", r.Accepted], {
    also: [[200, "the personal account, moved in", r.UserEnvelope]],
    body: newAccountSchema,
    errors: [400, 401, 403, 409, 410],
  }),
  op("post", "/api/v1/introspect", "introspection", "RFC 7662 token introspection (form or JSON `token`)", "api_key", [200, "{active, sub, username, type, organization, exp}", r.Introspection], { body: introspectSchema, form: true, errors: [401] }),
  op("get", "/api/v1/admin/users", "admin users", "Search accounts (substring over userId, email, nickname)", "admin", [200, LIST, r.AccountList], { query: searchSchema, errors: [400, 403] }),
  op("post", "/api/v1/admin/users", "admin users", "Create an account (setup mail, password, or setup link)", "admin", [201, "{user, outcome, setupUrl?}", r.CreatedUser], { body: userCreateSchema, errors: [400, 403, 409] }),
  op("get", "/api/v1/admin/users/export", "admin users", "Export as CSV or JSON (streamed)", "admin", [200, "a file", r.UserExport], { query: exportSchema, file: true, errors: [400, 403] }),
  op("post", "/api/v1/admin/users/import", "admin users", "Import CSV or JSON rows (?dryRun=true checks only)", "admin", [200, "{dryRun, total, valid, created, failed, results}", r.ImportReport], { body: z.union([z.array(userCreateSchema), z.object({ items: z.array(userCreateSchema) })]), upload: true, errors: [400, 403, 413] }),
  op("post", "/api/v1/admin/users/batch-delete", "admin users", "Delete many; per-id results", "admin", [200, "{results}", r.BatchDeleted], { body: batchSchema, errors: [400, 403] }),
  op("get", "/api/v1/admin/users/{id}", "admin users", "Read an account", "admin", [200, ACCOUNT, r.Account], { errors: [404] }),
  op("patch", "/api/v1/admin/users/{id}", "admin users", "Edit an account", "admin", [200, ACCOUNT, r.Account], { body: userUpdateSchema, errors: [400, 404, 409] }),
  op("delete", "/api/v1/admin/users/{id}", "admin users", "Delete an account (when deletion is unlocked)", "admin", [204, NOTHING], { errors: [403, 404, 409] }),
  ...(["disable", "enable", "promote", "demote", "approve", "verify-email"] as const).map((a) =>
    op("post", `/api/v1/admin/users/{id}/${a}`, "admin users", `${a[0]?.toUpperCase()}${a.slice(1).replace("-", " ")} an account`, "admin", [200, ACCOUNT, r.Account], { errors: [400, 403, 404, 409] }),
  ),
  op("post", "/api/v1/admin/users/{id}/setup-link", "admin users", "A new setup link for an invited account (the earlier one stops working): mailed, or returned to hand over when it has no address", "admin", [200, "{user, outcome, setupUrl?}", r.SetupLink], { errors: [400, 403, 404] }),
  op("post", "/api/v1/admin/users/{id}/password", "admin users", "Set a temporary password, changed at the next log in; ends the account's sessions and lifts its log-in lock", "admin", [200, ACCOUNT, r.Account], { body: temporaryPasswordSchema, errors: [400, 403, 404] }),
  op("post", "/api/v1/admin/users/{id}/decline", "admin users", "Decline an application with a reason (mailed); the account is removed", "admin", [204, NOTHING], { body: declineSchema, errors: [400, 404] }),
  op("delete", "/api/v1/admin/users/{id}/sessions", "admin users", "End every session of an account", "admin", [204, NOTHING], { errors: [404] }),
  op("get", "/api/v1/admin/invitations", "admin invitations", "Registration requests", "admin", [200, LIST, r.InvitationList], { query: invitationListSchema }),
  op("post", "/api/v1/admin/invitations", "admin invitations", "Send registration requests (one or many addresses)", "admin", [201, "the request", r.Invitation], {
    also: [[200, "for many addresses: a result for each", r.SendResults]],
    body: sendSchema,
    errors: [400, 409],
  }),
  op("delete", "/api/v1/admin/invitations/{id}", "admin invitations", "Revoke a request", "admin", [204, NOTHING], { errors: [400, 404] }),
  op("post", "/api/v1/admin/invitations/{id}/resend", "admin invitations", "Resend with a new link", "admin", [200, "the request", r.Invitation], { errors: [400, 404] }),
  op("get", "/api/v1/admin/organizations", "admin organizations", "Organizations (owners: all)", "admin", [200, LIST, r.OrganizationList], { query: listQuerySchema, errors: [400] }),
  op("post", "/api/v1/admin/organizations", "admin organizations", "Create an organization", "owner", [201, "the organization", r.Organization], { body: orgCreateSchema, errors: [400, 403] }),
  op("patch", "/api/v1/admin/organizations/{id}", "admin organizations", "Rename, claim domains, limits", "owner", [200, "the organization", r.Organization], { body: orgPatchSchema, errors: [400, 403, 404] }),
  op("get", "/api/v1/admin/settings", "admin settings", "Server settings", "owner", [200, "{registration, verificationRequired, deletionLocked, serverName}", r.Settings], { errors: [403] }),
  op("patch", "/api/v1/admin/settings", "admin settings", "Change server settings (unlocking deletion needs confirmDeletionUnlock)", "owner", [200, "the settings", r.Settings], { body: settingsPatchSchema, errors: [400, 403] }),
  op("get", "/api/v1/admin/api-keys", "admin api keys", "API keys with last use", "admin", [200, LIST, r.ApiKeyList], { query: listQuerySchema, errors: [400] }),
  op("post", "/api/v1/admin/api-keys", "admin api keys", "Create an API key (shown once)", "admin", [201, "{id, name, key, …}", r.CreatedApiKey], { body: apiKeyCreateSchema, errors: [400] }),
  op("delete", "/api/v1/admin/api-keys/{id}", "admin api keys", "Revoke an API key", "admin", [204, NOTHING], { errors: [404] }),
  op("get", "/api/v1/admin/audit", "admin audit", "The audit log, newest first", "admin", [200, LIST, r.AuditList], { query: auditQuerySchema, errors: [400] }),
  op("get", "/api/v1/admin/audit/export", "admin audit", "Export the audit log as CSV or JSON, oldest first, for the list's filters (streamed; the export is itself recorded)", "admin", [200, "a file", r.AuditExport], { query: auditExportSchema, file: true, errors: [400] }),
  op("get", "/api/v1/admin/audit/verify", "admin audit", "Verify the audit log's hash chain (the result is kept for a minute)", "admin", [200, "{ok, entries, brokenAt?, checkedAt}", r.AuditVerify]),
  op("get", "/api/v1/admin/storage", "admin settings", "The data volume: database size, space left (and whether it is low), nightly backups", "owner", [200, "{databaseBytes, volume, low, lowBelowBytes, backups}", r.Storage], { errors: [403] }),
  op("get", "/api/v1/admin/mail", "admin mail", "The outbound mail queue", "admin", [200, LIST, r.MailList], { query: mailListSchema, errors: [400] }),
  op("get", "/api/v1/admin/mail/health", "admin mail", "Messages by state, and the transport", "admin", [200, "{transport, counts}", r.MailHealth]),
  op("get", "/api/v1/admin/mail/{id}", "admin mail", "One message in full", "admin", [200, "the message", r.MailMessage], { errors: [404] }),
  op("post", "/api/v1/admin/mail/{id}/retry", "admin mail", "Try a deferred or failed message again now", "admin", [200, "the message", r.Mail], { errors: [400, 404] }),
  op("post", "/api/v1/admin/mail/test", "admin mail", "Send a test mail and report the upstream's answer", "admin", [200, "the message", r.Mail], { body: mailTestSchema, errors: [400, 429] }),
  op("get", "/healthz", "server", "Alive", "none", [200, "{status}", r.Health]),
  op("get", "/readyz", "server", "Database and migrations ready", "none", [200, "{status}", r.Ready], { also: [[503, "not ready", r.NotReady]] }),
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

/** Refusals an operation can answer whatever it does: by who may call it, and by whether it reads a JSON body. */
const authErrors: Record<Auth, number[]> = { none: [], user: [401, 403], member: [401, 403], admin: [401, 403], owner: [401, 403], api_key: [401] };
const bodyErrors = [400, 413, 415];

/** Every status an operation answers with problem details, in order. */
export const errorStatuses = (o: Operation): number[] => [...new Set([...(o.errors ?? []), ...authErrors[o.auth], ...(o.body ? bodyErrors : [])])].sort((a, b) => a - b);

/** The error codes a problem with this status carries. */
export const codesFor = (status: number): string[] => Object.entries(errorCodes).filter(([, e]) => e.status === status).map(([c]) => c);

const ref = (schema: z.ZodType) => ({ $ref: `#/components/schemas/${r.componentName(schema)}` });

function answer([, description, schema]: Answer, file = false) {
  if (!schema) return { description };
  const json = { schema: ref(schema) };
  return { description, content: file ? { "text/csv": { schema: { type: "string", description: "The same columns, a header line first (UTF-8 with BOM)." } }, "application/json": json } : { "application/json": json } };
}

/** `post /api/v1/admin/users/{id}/disable` → `postAdminUsersByIdDisable`: a name for generated clients. */
export function operationId(o: Pick<Operation, "method" | "path">): string {
  const words = o.path.replace(/^\/api\/v1\//, "/").split(/[/-]/).filter(Boolean).map((w) => {
    const param = /^\{(\w+)\}$/.exec(w)?.[1];
    const word = param ? `by_${param}` : w;
    return word.split("_").map((x) => x.charAt(0).toUpperCase() + x.slice(1)).join("");
  });
  return o.method + words.join("");
}

function requestBody(o: Operation, body: z.ZodType) {
  const schema = jsonSchema(body);
  if (o.upload) {
    return { required: true, content: { "text/csv": { schema: { type: "string", description: "A header line naming the fields, then a row per account (UTF-8, or Shift_JIS with a charset or without a BOM)." } }, "application/json": { schema } } };
  }
  return { required: true, content: { "application/json": { schema }, ...(o.form ? { "application/x-www-form-urlencoded": { schema } } : {}) } };
}

// The response schemas do not change while the server runs: generated once.
let components: ReturnType<typeof r.responseComponents> | undefined;

/** The OpenAPI 3.1 document of the JSON API (GET /api/openapi.json). */
export function openApiDocument(version: string, baseUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const o of operations) {
    const params = [...o.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (o.query) {
      const q = jsonSchema(o.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: "query", required: false, schema } as never);
    }
    const responses: Record<string, unknown> = { [String(o.ok[0])]: answer(o.ok, o.file) };
    for (const a of o.also ?? []) responses[String(a[0])] = answer(a);
    for (const status of errorStatuses(o)) {
      responses[String(status)] = { description: codesFor(status).join(", ") || "problem", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };
    }
    (paths[o.path] ??= {})[o.method] = {
      tags: [o.tag],
      summary: o.summary,
      security: security[o.auth],
      ...(params.length ? { parameters: params } : {}),
      operationId: operationId(o),
      ...(o.body ? { requestBody: requestBody(o, o.body) } : {}),
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
      schemas: (components ??= r.responseComponents()),
    },
  };
}
