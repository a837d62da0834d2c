import { z } from "zod";
import { accountStatuses, accountTypes, friendPolicies, genders, invitationStatuses, mailStatuses } from "../db/schema.js";
import { errorCodes, type ErrorCode } from "../errors.js";
import { registrationPolicies } from "../admin/settings.js";

/**
 * What the JSON API answers, as zod schemas: the OpenAPI document's
 * `components.schemas` are generated from them (openapi.ts), and
 * server/http/api/responses.test.ts checks every answer of a real server
 * against them. Objects are strict: a field a presenter adds without
 * documenting it here fails that test instead of reaching clients unannounced.
 * Each schema with an `id` becomes a component of that name.
 */
export const responseSchemas = z.registry<{ id?: string; description?: string }>();

function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  responseSchemas.add(schema as z.ZodType, description ? { id, description } : { id });
  return schema;
}
function note<T extends z.ZodType>(description: string, schema: T): T {
  responseSchemas.add(schema as z.ZodType, { description });
  return schema;
}

/** ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes it. */
const timestamp = () => z.iso.datetime();
const count = () => z.int().min(0);
const errorCode = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);
const transport = z.enum(["smtp", "direct", "capture"]);

/** `{items, nextCursor, total}` (SPEC §4) of one item schema. */
export const listOf = <T extends z.ZodType>(id: string, item: T) =>
  named(id, `A page of a list: ?limit= (1–200) items, and nextCursor for ?cursor= (null on the last page).`, z.strictObject({ items: z.array(item), nextCursor: z.string().nullable(), total: count() }));

export const Problem = named(
  "Problem",
  "RFC 9457 problem details (application/problem+json) with a stable code.",
  z.strictObject({ type: z.string(), title: z.string(), status: z.int(), detail: z.string(), code: errorCode, errors: note("Field name → message.", z.record(z.string(), z.string())).optional() }),
);

export const OrganizationRef = named("OrganizationRef", "The organization an account or request belongs to.", z.strictObject({ id: z.string(), name: z.string() }));

export const Account = named(
  "Account",
  "An account as its owner and admins see it; never a hash or token.",
  z.strictObject({
    id: z.string(),
    userId: z.string(),
    email: z.string().nullable(),
    type: z.enum(accountTypes),
    status: z.enum(accountStatuses),
    organization: note("null for a personal account.", OrganizationRef.nullable()),
    nickname: z.string(),
    displayName: note("The nickname, or the userId when it has none.", z.string()),
    avatarUrl: z.string(),
    groupName: z.string(),
    gender: z.enum(genders),
    birthDate: z.iso.date().nullable(),
    location: z.string(),
    statusMessage: z.string(),
    language: z.string(),
    friendPolicy: z.enum(friendPolicies),
    friendingForbidden: z.boolean(),
    messageSettings: z.strictObject({ pushOffline: z.boolean() }),
    level: count(),
    role: count(),
    mustChangePassword: z.boolean(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
    lastLoginAt: timestamp().nullable(),
    emailVerifiedAt: timestamp().nullable(),
  }),
);

export const AccountList = listOf("AccountList", Account);
export const UserEnvelope = named("UserEnvelope", "The account concerned.", z.strictObject({ user: Account }));
export const Registered = named("Registered", "The new account; verificationRequired: a confirmation mail was sent.", z.strictObject({ user: Account, verificationRequired: z.boolean() }));
export const LoggedIn = named("LoggedIn", "A new session: the token is shown once.", z.strictObject({ token: z.string(), expiresAt: timestamp(), user: Account }));

export const ServerInfo = named("ServerInfo", "", z.strictObject({ name: z.string(), version: z.string(), registration: z.enum(registrationPolicies), verificationRequired: z.boolean() }));

export const Session = named(
  "Session",
  "One of the caller's sessions.",
  z.strictObject({ id: z.string(), device: z.string(), ip: z.string(), createdAt: timestamp(), lastUsedAt: timestamp(), expiresAt: timestamp(), current: note("The session of this request.", z.boolean()) }),
);
export const SessionList = listOf("SessionList", Session);

export const Member = named(
  "Member",
  "What members of an organization see of each other.",
  z.strictObject({
    id: z.string(),
    userId: z.string(),
    nickname: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    avatarUrl: z.string(),
    groupName: z.string(),
    statusMessage: z.string(),
    location: z.string(),
    type: z.enum(accountTypes),
  }),
);
export const MemberList = listOf("MemberList", Member);

export const GroupNode: z.ZodType<GroupNodeShape> = named(
  "GroupNode",
  "A group: members directly in it, total with its subgroups.",
  z.strictObject({
    name: z.string(),
    path: z.string(),
    members: count(),
    total: count(),
    get children() {
      return z.array(GroupNode);
    },
  }),
);
interface GroupNodeShape {
  name: string;
  path: string;
  members: number;
  total: number;
  children: GroupNodeShape[];
}
export const GroupTree = named("GroupTree", "The top-level groups; ungrouped: active members without a group.", z.strictObject({ items: z.array(GroupNode), ungrouped: count(), total: count() }));

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
    id: z.string(),
    userId: z.string(),
    email: z.string().nullable(),
    type: z.enum(accountTypes),
    status: z.enum(accountStatuses),
    organization: note("The organization's name.", z.string().nullable()),
    nickname: z.string(),
    groupName: z.string(),
    gender: z.enum(genders),
    birthDate: z.iso.date().nullable(),
    location: z.string(),
    statusMessage: z.string(),
    language: z.string(),
    friendPolicy: z.enum(friendPolicies),
    friendingForbidden: z.boolean(),
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

const auditParty = z.strictObject({ id: z.string().nullable(), label: z.string() }).nullable();
export const AuditEntry = named(
  "AuditEntry",
  "Who did what to whom, when, from where.",
  z.strictObject({ seq: z.int().min(1), at: timestamp(), action: z.string(), actor: auditParty, target: auditParty, organizationId: z.string().nullable(), ip: z.string(), detail: z.record(z.string(), z.unknown()) }),
);
export const AuditList = listOf("AuditList", AuditEntry);
export const AuditExportRow = named(
  "AuditExportRow",
  "One entry of the exported audit log, with its place in the hash chain: hash = hex SHA-256 of prevHash, a line break, and the compact JSON array [at in ms, actorId, actorLabel, action, targetId, targetLabel, organizationId, ip, detail as compact JSON text] (compact as JavaScript's JSON.stringify writes it: no spaces, non-ASCII characters as they are). Check the chain from the JSON export: in the CSV a cell a spreadsheet would run starts with an apostrophe.",
  z.strictObject({
    seq: z.int().min(1),
    at: timestamp(),
    action: z.string(),
    actorId: z.string().nullable(),
    actorLabel: z.string(),
    targetId: z.string().nullable(),
    targetLabel: z.string(),
    organizationId: z.string().nullable(),
    ip: z.string(),
    detail: z.record(z.string(), z.unknown()),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
export const AuditExport = named("AuditExport", "The JSON export of the audit log, oldest first.", z.array(AuditExportRow));
export const AuditVerify = named(
  "AuditVerify",
  "The hash chain's state; brokenAt is the first entry that does not follow from the one before.",
  z.discriminatedUnion("ok", [
    z.strictObject({ ok: z.literal(true), entries: count(), checkedAt: timestamp() }),
    z.strictObject({ ok: z.literal(false), entries: count(), brokenAt: z.int().min(1), reason: z.string(), checkedAt: timestamp() }),
  ]),
);

export const Storage = named(
  "Storage",
  "The data volume: sizes in bytes; volume is null when it cannot be read.",
  z.strictObject({
    databaseBytes: count(),
    volume: z.strictObject({ freeBytes: count(), totalBytes: count() }).nullable(),
    low: z.boolean(),
    lowBelowBytes: count(),
    backups: z.strictObject({ keep: count(), count: count(), lastAt: timestamp().nullable(), bytes: count(), stale: z.boolean(), nextAt: timestamp().nullable() }),
  }),
);

const mailFields = {
  id: z.string(),
  kind: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  language: note("The language Roster wrote it in; null for relayed mail.", z.string().nullable()),
  status: z.enum(mailStatuses),
  attempts: count(),
  lastError: z.string().nullable(),
  lastResponse: z.string().nullable(),
  transport: note("How it left; null before the first attempt.", transport.nullable()),
  createdAt: timestamp(),
  nextAttemptAt: timestamp().nullable(),
  sentAt: timestamp().nullable(),
};
export const Mail = named("Mail", "A message in the outbound queue.", z.strictObject(mailFields));
export const MailList = named(
  "MailList",
  "A page of the queue, and the transport mail leaves by.",
  z.strictObject({ items: z.array(Mail), nextCursor: z.string().nullable(), total: count(), transport }),
);
export const MailMessage = named(
  "MailMessage",
  "A message in full; raw: the first 256 KB of a relayed message's source.",
  z.strictObject({ ...mailFields, text: z.string(), html: z.string().nullable(), raw: z.string().nullable(), rawBytes: count().nullable() }),
);
export const MailHealth = named("MailHealth", "Messages by state.", z.strictObject({ transport, counts: z.strictObject(Object.fromEntries(mailStatuses.map((s) => [s, count()])) as Record<(typeof mailStatuses)[number], z.ZodInt>) }));

export const Health = named("Health", "", z.strictObject({ status: z.literal("ok") }));
export const Ready = named("Ready", "", z.strictObject({ status: z.literal("ready") }));
export const NotReady = named("NotReady", "Which check failed.", z.strictObject({ status: z.literal("unavailable"), database: z.literal(false).optional(), migrations: z.literal(false).optional() }));

/** The component name of a registered response schema. */
export const componentName = (schema: z.ZodType): string => {
  const id = responseSchemas.get(schema)?.id;
  if (!id) throw new Error("A response schema must be one of openapi-responses.ts's named schemas.");
  return id;
};

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The JSON Schema of every named response schema, by name, with $refs to
 * `#/components/schemas/…` (OpenAPI 3.1 Schema Objects: no $schema or $id).
 */
export function responseComponents(): Record<string, Record<string, unknown>> {
  const { schemas } = z.toJSONSchema(responseSchemas, {
    metadata: responseSchemas,
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: "throw",
    override: ({ jsonSchema: s }) => {
      // zod's timestamp regex repeats what `format` says; integers need no ±2^53 bounds.
      if (s.format === "date-time" || s.format === "date") delete s.pattern;
      if (s.maximum === SAFE) delete s.maximum;
      if (s.minimum === -SAFE) delete s.minimum;
    },
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, s]) => {
      const { $schema: _schema, $id: _id, ...rest } = s as Record<string, unknown>;
      return [name, rest];
    }),
  );
}
