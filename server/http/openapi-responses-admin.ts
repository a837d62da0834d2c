import { z } from "zod";
import { accountTypes, invitationStatuses } from "../db/schema.js";
import { registrationPolicies } from "../admin/settings.js";
import { Account, identityFields, profileFields } from "./openapi-responses-accounts.js";
import { count, errorCode, listOf, named, note, OrganizationRef, timestamp } from "./openapi-responses-common.js";

/** Response schemas of what admins do: registration requests, API keys and introspection, accounts an admin creates, imports and exports, organizations and settings. */

const invitationFields = {
  id: z.string(),
  email: z.string(),
  type: z.enum(["general", "admin"]),
  message: z.string(),
  language: note("The language its mail is written in.", z.string()),
  status: z.enum(invitationStatuses),
  organization: OrganizationRef,
  createdAt: timestamp(),
  expiresAt: timestamp(),
};
export const Invitation = named("Invitation", "A registration request.", z.strictObject(invitationFields));
export const InvitationList = listOf("InvitationList", Invitation);
export const InvitationView = named(
  "InvitationView",
  "A registration request as its link shows it, with what accepting it does.",
  z.strictObject({
    ...invitationFields,
    mode: z.enum(["new_account", "move_personal", "already_member", "managed_by_other_organization"]),
    viewerMatches: note("Whether the logged-in viewer is the invited address; null without a session.", z.boolean().nullable()),
  }),
);
export const Accepted = named("Accepted", "The new account and its session (the token is shown once).", z.strictObject({ user: Account, token: z.string(), expiresAt: timestamp() }));
export const SendResults = named(
  "SendResults",
  "One result an address.",
  z.strictObject({
    results: z.array(z.strictObject({ email: z.string(), status: z.enum(["sent", "error"]), code: errorCode.optional(), errors: z.record(z.string(), z.string()).optional(), invitation: Invitation.optional() })),
  }),
);

export const Introspection = named(
  "Introspection",
  "RFC 7662: an inactive token is {active:false} and nothing more.",
  z.discriminatedUnion("active", [
    z.strictObject({ active: z.literal(false) }),
    z.strictObject({
      active: z.literal(true),
      sub: note("The account id.", z.string()),
      username: note("The account's userId.", z.string()),
      type: z.enum(accountTypes),
      organization: OrganizationRef.nullable(),
      exp: note("When the session expires, in seconds since the epoch.", z.int()),
      iat: note("When the session began, in seconds since the epoch.", z.int()),
      token_type: z.literal("Bearer"),
      nickname: z.string(),
      email: z.string().nullable(),
    }),
  ]),
);

export const CreatedUser = named(
  "CreatedUser",
  "How the person gets in: a mailed setup link, the given password, or setupUrl (shown once) to hand over.",
  z.strictObject({ user: Account, outcome: z.enum(["setup_mail", "password", "setup_link"]), setupUrl: z.string().optional() }),
);
export const SetupLink = named("SetupLink", "The link was mailed, or is setupUrl (shown once) for an account without an address.", z.strictObject({ user: Account, outcome: z.enum(["setup_mail", "setup_link"]), setupUrl: z.string().optional() }));

export const ImportReport = named(
  "ImportReport",
  "One result a row (rows count from 1).",
  z.strictObject({
    dryRun: z.boolean(),
    total: count(),
    valid: count(),
    created: count(),
    failed: count(),
    results: z.array(
      z.strictObject({
        row: z.int().min(1),
        userId: z.string(),
        status: z.enum(["valid", "created", "error"]),
        code: errorCode.optional(),
        errors: z.record(z.string(), z.string()).optional(),
        outcome: z.enum(["setup_mail", "password", "setup_link"]).optional(),
        setupUrl: z.string().optional(),
      }),
    ),
  }),
);
export const BatchDeleted = named("BatchDeleted", "One result an id.", z.strictObject({ results: z.array(z.strictObject({ id: z.string(), status: z.enum(["deleted", "error"]), code: errorCode.optional() })) }));

export const ExportRow = named(
  "ExportRow",
  "One account in a JSON export (the CSV has the same columns).",
  z.strictObject({
    ...identityFields,
    organization: note("The organization's name.", z.string().nullable()),
    nickname: z.string(),
    ...profileFields,
    pushOffline: z.boolean(),
    level: count(),
    role: count(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
    lastLoginAt: timestamp().nullable(),
    emailVerifiedAt: timestamp().nullable(),
  }),
);
export const UserExport = named("UserExport", "The JSON export: every chosen account.", z.array(ExportRow));

export const Organization = named(
  "Organization",
  "",
  z.strictObject({
    id: z.string(),
    name: z.string(),
    claimedDomains: z.array(z.string()),
    adminLimit: z.int().min(1),
    pendingLimit: z.int().min(1),
    members: count(),
    admins: count(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
);
export const OrganizationList = listOf("OrganizationList", Organization);

export const Settings = named("Settings", "", z.strictObject({ registration: z.enum(registrationPolicies), verificationRequired: z.boolean(), deletionLocked: z.boolean(), serverName: z.string() }));

const apiKeyFields = {
  id: z.string(),
  name: z.string(),
  createdBy: note("The userId of the admin whose rights the key has.", z.string().nullable()),
  createdAt: timestamp(),
  lastUsedAt: timestamp().nullable(),
  active: note("Whether it works now: false while its creator is not an active admin or owner (it works again when they are).", z.boolean()),
  revocable: note("Whether the caller may revoke it (an owner's key only an owner may).", z.boolean()),
};
export const ApiKey = named("ApiKey", "", z.strictObject(apiKeyFields));
export const ApiKeyList = listOf("ApiKeyList", ApiKey);
export const CreatedApiKey = named("CreatedApiKey", "The key is shown once, here.", z.strictObject({ ...apiKeyFields, key: z.string().regex(/^rk_/) }));
