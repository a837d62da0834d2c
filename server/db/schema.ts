import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Timestamps are milliseconds since the epoch (`timestamp_ms`), so ordering and
 * arithmetic stay in SQL integers; the API shows them as ISO 8601.
 */
const ts = (name: string) => integer(name, { mode: "timestamp_ms" });

export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  adminLimit: integer("admin_limit").notNull().default(10),
  pendingLimit: integer("pending_limit").notNull().default(50),
  createdAt: ts("created_at").notNull(),
  updatedAt: ts("updated_at").notNull(),
});

/** A domain is claimed by at most one organization: the domain is the key. */
export const organizationDomains = sqliteTable(
  "organization_domains",
  {
    domain: text("domain").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    createdAt: ts("created_at").notNull(),
  },
  (t) => [index("organization_domains_org_idx").on(t.organizationId)],
);

export const accountTypes = ["general", "admin", "owner"] as const;
export const accountStatuses = ["pending", "awaiting_approval", "invited", "active", "disabled"] as const;
export const genders = ["unknown", "female", "male", "other"] as const;
export const friendPolicies = ["need_confirm", "allow_any", "deny_any"] as const;

export type AccountType = (typeof accountTypes)[number];
export type AccountStatus = (typeof accountStatuses)[number];

export const accounts = sqliteTable(
  "accounts",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").references(() => organizations.id, { onDelete: "restrict" }),
    /** Always lower case: the SPEC's alphabet has no capitals, input is folded. */
    userId: text("user_id").notNull(),
    email: text("email"),
    emailLower: text("email_lower"),
    passwordHash: text("password_hash"),
    mustChangePassword: integer("must_change_password", { mode: "boolean" }).notNull().default(false),
    type: text("type", { enum: accountTypes }).notNull().default("general"),
    status: text("status", { enum: accountStatuses }).notNull(),
    /** What enabling a disabled account returns it to (pending, awaiting_approval, invited or active). */
    statusBeforeDisable: text("status_before_disable", { enum: accountStatuses }),
    nickname: text("nickname").notNull().default(""),
    avatarUrl: text("avatar_url").notNull().default(""),
    groupName: text("group_name").notNull().default(""),
    gender: text("gender", { enum: genders }).notNull().default("unknown"),
    birthDate: text("birth_date"),
    location: text("location").notNull().default(""),
    statusMessage: text("status_message").notNull().default(""),
    language: text("language").notNull().default("en"),
    friendPolicy: text("friend_policy", { enum: friendPolicies }).notNull().default("need_confirm"),
    friendingForbidden: integer("friending_forbidden", { mode: "boolean" }).notNull().default(false),
    pushOffline: integer("push_offline", { mode: "boolean" }).notNull().default(true),
    level: integer("level").notNull().default(0),
    role: integer("role").notNull().default(0),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
    lastLoginAt: ts("last_login_at"),
    emailVerifiedAt: ts("email_verified_at"),
  },
  (t) => [
    uniqueIndex("accounts_user_id_uq").on(t.userId),
    uniqueIndex("accounts_email_lower_uq").on(t.emailLower),
    index("accounts_org_status_idx").on(t.organizationId, t.status),
    index("accounts_org_group_idx").on(t.organizationId, t.groupName),
    index("accounts_org_type_idx").on(t.organizationId, t.type),
  ],
);

/** Lucia-style sessions: the token is `id.secret`; only SHA-256(secret) is kept. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    secretHash: blob("secret_hash", { mode: "buffer" }).notNull(),
    device: text("device").notNull().default(""),
    ip: text("ip").notNull().default(""),
    createdAt: ts("created_at").notNull(),
    /** Written at most once an hour, when the expiry slides. */
    lastVerifiedAt: ts("last_verified_at").notNull(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("sessions_account_idx").on(t.accountId), index("sessions_expires_idx").on(t.expiresAt)],
);

export const tokenKinds = ["verify_email", "password_reset", "email_change", "setup"] as const;
export type TokenKind = (typeof tokenKinds)[number];

/**
 * One-time tokens mailed as links. `tokenHash` is SHA-256 of the random token;
 * `codeHash` is the 6-digit code for people who confirm inside a chat app.
 */
export const oneTimeTokens = sqliteTable(
  "one_time_tokens",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: tokenKinds }).notNull(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The address the token was mailed to (the new address for an email change). */
    email: text("email"),
    tokenHash: blob("token_hash", { mode: "buffer" }).notNull(),
    codeHash: blob("code_hash", { mode: "buffer" }),
    codeAttempts: integer("code_attempts").notNull().default(0),
    createdAt: ts("created_at").notNull(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
  },
  (t) => [
    uniqueIndex("one_time_tokens_hash_uq").on(t.tokenHash),
    index("one_time_tokens_account_idx").on(t.accountId, t.kind),
    index("one_time_tokens_expires_idx").on(t.expiresAt),
  ],
);

export const invitationStatuses = ["pending", "accepted", "revoked", "expired"] as const;

/** Registration requests (SPEC §3): an admin invites an email into their organization. */
export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    emailLower: text("email_lower").notNull(),
    type: text("type", { enum: ["general", "admin"] }).notNull().default("general"),
    message: text("message").notNull().default(""),
    /** The language its mail is written in (and written in again on a resend). */
    language: text("language").notNull().default("en"),
    status: text("status", { enum: invitationStatuses }).notNull().default("pending"),
    tokenHash: blob("token_hash", { mode: "buffer" }).notNull(),
    invitedBy: text("invited_by").references(() => accounts.id, { onDelete: "set null" }),
    acceptedAccountId: text("accepted_account_id").references(() => accounts.id, { onDelete: "set null" }),
    createdAt: ts("created_at").notNull(),
    expiresAt: ts("expires_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_uq").on(t.tokenHash),
    // One pending request per address per organization, enforced by the database.
    uniqueIndex("invitations_pending_uq")
      .on(t.organizationId, t.emailLower)
      .where(sql`status = 'pending'`),
    index("invitations_org_status_idx").on(t.organizationId, t.status),
  ],
);

export const mailStatuses = ["queued", "sending", "sent", "deferred", "failed"] as const;
export type MailStatus = (typeof mailStatuses)[number];

/** The outbox (SPEC §5): written in the same transaction as the change that causes it. */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    fromAddress: text("from_address").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html"),
    /** The language Roster wrote it in (en, ja); null for relayed mail and mail queued before it was kept. */
    language: text("language"),
    /** Set for mail submitted through the relay: the message as received, sent as is. */
    raw: blob("raw", { mode: "buffer" }),
    status: text("status", { enum: mailStatuses }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** The upstream's last reply, success or not ("250 2.0.0 Ok: queued as …"): what "send a test mail" reports. */
    lastResponse: text("last_response"),
    /** How it left (smtp, direct) or that it did not (capture). */
    transport: text("transport"),
    createdAt: ts("created_at").notNull(),
    nextAttemptAt: ts("next_attempt_at").notNull(),
    sentAt: ts("sent_at"),
  },
  (t) => [
    index("mail_outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("mail_outbox_created_idx").on(t.createdAt),
    // The worker's "next due message": one index step, not a sort of every waiting row.
    index("mail_outbox_waiting_idx").on(t.nextAttemptAt, t.id).where(sql`status IN ('queued', 'deferred')`),
  ],
);

/** The hash-chained audit log (SPEC §6): each entry carries SHA-256 of the one before. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    at: ts("at").notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label").notNull().default(""),
    action: text("action").notNull(),
    targetId: text("target_id"),
    targetLabel: text("target_label").notNull().default(""),
    organizationId: text("organization_id"),
    ip: text("ip").notNull().default(""),
    detail: text("detail").notNull().default("{}"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_actor_idx").on(t.actorId),
    index("audit_log_target_idx").on(t.targetId),
    index("audit_log_org_idx").on(t.organizationId, t.seq),
  ],
);

/** Server settings as JSON values under a key (registration policy, deletion lock…). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/**
 * Throttle counters (SPEC §6) keyed by what they limit: `login-acct:<id>`,
 * `login-ip:<address>`, `reset-email:<address>`… `windowStart` is when the
 * current window (or run of failures) began.
 */
export const throttles = sqliteTable("throttles", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  windowStart: integer("window_start").notNull(),
  lockedUntil: integer("locked_until"),
});

/** API keys (`rk_…`): only SHA-256 of the secret is kept. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    secretHash: blob("secret_hash", { mode: "buffer" }).notNull(),
    createdAt: ts("created_at").notNull(),
    lastUsedAt: ts("last_used_at"),
  },
  (t) => [index("api_keys_account_idx").on(t.accountId)],
);

export type Account = typeof accounts.$inferSelect;
export type Organization = typeof organizations.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type MailRow = typeof mailOutbox.$inferSelect;

/**
 * Maps each account to a stable integer key for the trigram full-text index
 * (`accounts_fts`, created with its triggers in migration 0002). accounts
 * has a text primary key, whose implicit rowid VACUUM may renumber; this
 * table's INTEGER PRIMARY KEY never changes.
 */
export const accountSearchKeys = sqliteTable("account_search_keys", {
  key: integer("key").primaryKey({ autoIncrement: true }),
  accountId: text("account_id").notNull().unique(),
});
