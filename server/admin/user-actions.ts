import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { DAY } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import type { Tx } from "../db/client.js";
import { accounts, auditLog, organizations, type Account } from "../db/schema.js";
import { AppError, type FieldErrors } from "../errors.js";
import { newId } from "../ids.js";
import { passwordProblem } from "../auth/password.js";
import { issueToken, voidTokens } from "../auth/one-time.js";
import { invalidateUserSessions } from "../auth/sessions.js";
import { forgetLoginFailures } from "../auth/throttle.js";
import { emailField, fieldError, noFutureBirthDate, parseInput, passwordField, profileSchema, userIdField } from "../accounts/fields.js";
import { profileChanges, withoutUnchangedText } from "../accounts/profile.js";
import { presentAccount, type PresentedAccount } from "../accounts/present.js";
import { findByEmail, findByUserId } from "../accounts/store.js";
import { sendVerification } from "../accounts/registration.js";
import { queueMail } from "../mail/outbox.js";
import { organizationName } from "../organizations/organizations.js";
import { audit } from "./audit.js";
import { adminScope, assertNotLastAdmin, targetOrganization, changeableAccount, countAdmins, inScope, ref, scopedAccount, type AdminScope } from "./access.js";

export const SETUP_TTL = 7 * DAY;

/** The fields only an admin sets (SPEC §2): on creation, import and edit. */
const adminSetFields = {
  level: z.number({ message: "level.invalid" }).int("level.invalid").min(0, "level.invalid").max(2_147_483_647, "level.invalid").optional(),
  role: z.number({ message: "field.invalid" }).int("field.invalid").min(0, "field.invalid").max(2_147_483_647, "field.invalid").optional(),
  friendingForbidden: z.boolean({ message: "field.invalid" }).optional(),
};

/** The create dialog's fields; an import row takes the same, plus the other profile fields. */
export const createSchema = profileSchema.extend(adminSetFields).extend({
  type: z.enum(["general", "admin"], { message: "type.invalid" }).default("general"),
  userId: userIdField,
  email: emailField.optional().or(z.literal("").transform(() => undefined)),
  password: passwordField.optional().or(z.literal("").transform(() => undefined)),
  /** Owners may create in any organization; admins always create in their own. */
  organizationId: z.string().max(64).optional().or(z.literal("").transform(() => undefined)),
});
export type CreateInput = z.infer<typeof createSchema>;

export interface CreateResult {
  user: PresentedAccount;
  /** How the person gets in: a mailed setup link, the given password (changed at first log in), or a link to hand over. */
  outcome: "setup_mail" | "password" | "setup_link";
  /** Only for `setup_link`: shown once, never stored. */
  setupUrl?: string;
}

/** Throws admin_limit_reached if the organization cannot take one more admin. */
export function assertAdminRoom(tx: Tx, organizationId: string): void {
  const org = tx.select().from(organizations).where(eq(organizations.id, organizationId)).get();
  if (org && countAdmins(tx, organizationId) >= org.adminLimit) throw new AppError("admin_limit_reached");
}

/**
 * SPEC §3 admin-created accounts. With an email and no password: a setup mail
 * (status invited). With a password: active, changed at first log in.
 * With neither: a one-time setup link for the admin to hand over.
 */
export async function createUser(deps: Deps, actor: Account, input: unknown, meta: RequestMeta): Promise<CreateResult> {
  const scope = adminScope(actor);
  const i = parseInput(createSchema, input, noFutureBirthDate(deps.clock.now()));
  const passwordHash = await hashIfGiven(deps, i);
  const result = deps.db.transaction((tx) => insertUser(tx, deps, scope, i, passwordHash, meta), { behavior: "immediate" });
  deps.mailQueued();
  return result;
}

/** Checks a given password against the SPEC rules and hashes it (off the event loop). */
export async function hashIfGiven(deps: Deps, i: Pick<CreateInput, "password" | "userId" | "email">): Promise<string | null> {
  if (!i.password) return null;
  const problem = passwordProblem(i.password, { userId: i.userId, email: i.email });
  // Every field to correct at once: a taken user ID or address too (an admin may know, SPEC §4).
  if (problem) throw new AppError("weak_password", { password: problem, ...takenFields(deps.db, i) });
  return deps.hasher.hash(i.password);
}

function adminSetChanges(i: { level?: number; role?: number; friendingForbidden?: boolean }): Partial<Account> {
  const set: Partial<Account> = {};
  if (i.level !== undefined) set.level = i.level;
  if (i.role !== undefined) set.role = i.role;
  if (i.friendingForbidden !== undefined) set.friendingForbidden = i.friendingForbidden;
  return set;
}

/** The user ID and the address, when another account has them. */
function takenFields(tx: Tx, i: Pick<CreateInput, "userId" | "email">): FieldErrors {
  return {
    ...(findByUserId(tx, i.userId) ? { userId: "error.user_id_taken" } : {}),
    ...(i.email && findByEmail(tx, i.email) ? { email: "error.email_taken" } : {}),
  };
}

/** The checks an account must pass to be created (shared with the import's dry run). */
export function assertCreatable(tx: Tx, scope: AdminScope, i: CreateInput) {
  const org = targetOrganization(tx, scope, i.organizationId);
  const taken = takenFields(tx, i);
  if (taken.userId) throw new AppError("user_id_taken", taken);
  if (taken.email) throw new AppError("email_taken", taken);
  if (i.type === "admin") assertAdminRoom(tx, org.id);
  return org;
}

/** Creates one account inside the caller's transaction; throws an AppError and writes nothing when a rule fails. */
export function insertUser(tx: Tx, deps: Pick<Deps, "clock" | "config">, scope: AdminScope, i: CreateInput, passwordHash: string | null, meta: RequestMeta): CreateResult {
  const org = assertCreatable(tx, scope, i);
  const now = deps.clock.now();
  const id = newId();
  tx.insert(accounts)
    .values({
      ...profileChanges(i),
      ...adminSetChanges(i),
      id,
      organizationId: org.id,
      userId: i.userId,
      email: i.email ?? null,
      emailLower: i.email?.toLowerCase() ?? null,
      passwordHash,
      mustChangePassword: Boolean(passwordHash),
      type: i.type,
      status: passwordHash ? "active" : "invited",
      language: i.language ?? scope.actor.language,
      createdAt: now,
      updatedAt: now,
    })
    .run();
  const created = tx.select().from(accounts).where(eq(accounts.id, id)).get() as Account;
  let outcome: CreateResult["outcome"] = "password";
  let setupUrl: string | undefined;
  if (!passwordHash) {
    const url = setupLink(tx, deps, created, org.name);
    if (created.email) outcome = "setup_mail";
    else {
      outcome = "setup_link";
      setupUrl = url;
    }
  }
  audit(tx, deps, { action: "admin.user_created", actor: ref(scope.actor), target: ref(created), organizationId: org.id, from: meta, detail: { type: i.type, outcome } });
  return { user: presentAccount(created, org.name), outcome, setupUrl };
}

export const updateSchema = profileSchema.extend({
  email: emailField.optional().or(z.literal("").transform(() => null)).or(z.null()),
  ...adminSetFields,
});

/** Admin edit: every profile field plus level, role and friendingForbidden. userId and type are not editable here; an owner only by an owner. */
export function updateUser(deps: Deps, actor: Account, id: string, input: unknown, meta: RequestMeta): PresentedAccount {
  const scope = adminScope(actor);
  const i = parseInput(updateSchema, withoutUnchangedText(input, scopedAccount(deps.db, scope, id)), noFutureBirthDate(deps.clock.now()));
  let mailed = false;
  const updated = deps.db.transaction(
    (tx) => {
      const a = changeableAccount(tx, scope, id);
      const now = deps.clock.now();
      const set: Partial<Account> = profileChanges(i);
      Object.assign(set, adminSetChanges(i));
      // SPEC §2: an address is optional only for accounts an admin created (the audit log records how
      // each account came to be); one its person registered with, or accepted an invitation at, stays.
      if (i.email === null && a.email !== null && !adminCreated(tx, a.id)) throw fieldError("email", "field.required");
      if (i.email !== undefined && (i.email?.toLowerCase() ?? null) !== a.emailLower) {
        const holder = i.email ? findByEmail(tx, i.email) : undefined;
        if (holder && holder.id !== a.id) throw new AppError("email_taken", { email: "error.email_taken" });
        set.email = i.email;
        set.emailLower = i.email?.toLowerCase() ?? null;
        set.emailVerifiedAt = null;
      }
      if (Object.keys(set).length) {
        tx.update(accounts).set({ ...set, updatedAt: now }).where(eq(accounts.id, a.id)).run();
        audit(tx, deps, { action: "admin.user_updated", actor: ref(actor), target: ref(a), organizationId: a.organizationId, from: meta, detail: { fields: Object.keys(set) } });
      }
      const after = { ...a, ...set, updatedAt: Object.keys(set).length ? now : a.updatedAt };
      if (set.emailLower !== undefined) mailed = readdressed(tx, deps, after);
      return present(tx, after);
    },
    { behavior: "immediate" },
  );
  if (mailed) deps.mailQueued();
  return updated;
}

export interface SetupLinkResult {
  user: PresentedAccount;
  /** Mailed to the account's address, or returned to hand over. */
  outcome: "setup_mail" | "setup_link";
  /** Only for `setup_link`: shown once, never stored. */
  setupUrl?: string;
}

/**
 * An admin's "new setup link" for an invited account: its setup mail was lost or its link expired
 * (7 days), or the link for an account without an address went astray. The earlier link stops
 * working. Any other account has chosen its password already: its person uses "Forgot password".
 */
export function newSetupLink(deps: Deps, actor: Account, id: string, meta: RequestMeta, o: { mailOnly?: boolean } = {}): SetupLinkResult {
  const scope = adminScope(actor);
  const result = deps.db.transaction(
    (tx) => {
      const a = changeableAccount(tx, scope, id);
      if (a.status === "disabled") throw new AppError("validation_failed", { status: "field.invalid" }, undefined, "The account is disabled: enable it first.");
      if (a.status !== "invited") throw new AppError("validation_failed", { status: "field.invalid" }, undefined, "The account is not waiting for its setup: its person has chosen a password already.");
      // A link to hand over is shown once, to one admin for one person: never made where it would not be shown.
      if (o.mailOnly && !a.email) throw new AppError("validation_failed", { email: "admin.users.bulk.why.noEmail" }, undefined, "The account has no address: make its link on its page.");
      const url = setupLink(tx, deps, a, orgName(tx, a) ?? "");
      const outcome = a.email ? ("setup_mail" as const) : ("setup_link" as const);
      audit(tx, deps, { action: "admin.user_setup_link", actor: ref(actor), target: ref(a), organizationId: a.organizationId, from: meta, detail: { outcome } });
      return { user: present(tx, a), outcome, ...(a.email ? {} : { setupUrl: url }) };
    },
    { behavior: "immediate" },
  );
  if (result.outcome === "setup_mail") deps.mailQueued();
  return result;
}

export const temporaryPasswordSchema = z.object({ password: passwordField });

/** Only an account its person can log in to takes a password from an admin: not one still to confirm its address or be approved. */
function assertMayTakePassword(a: Account): void {
  const status = a.status === "disabled" ? a.statusBeforeDisable : a.status;
  if (status === "pending" || status === "awaiting_approval") {
    throw new AppError("validation_failed", { status: "field.invalid" }, undefined, "The account has not confirmed its address or been approved yet.");
  }
}

/**
 * An admin's "set a temporary password": the help desk's answer to "I cannot log in" when the
 * person has no address (a shared terminal's account), cannot read their mail, or is locked out.
 * The person must choose their own at the next log in, as with an account created with a
 * password. Every session of the account ends, the log-in lock is lifted, and reset or setup
 * links already mailed stop working. An invited account becomes active. Not for one's own
 * account (the account page changes it, with the current password).
 */
export async function setTemporaryPassword(deps: Deps, actor: Account, id: string, input: unknown, meta: RequestMeta): Promise<PresentedAccount> {
  const scope = adminScope(actor);
  const { password } = parseInput(temporaryPasswordSchema, input);
  const before = changeableAccount(deps.db, scope, id);
  if (before.id === actor.id) throw new AppError("forbidden", undefined, undefined, "Change your own password on your account page.");
  assertMayTakePassword(before);
  const problem = passwordProblem(password, before);
  if (problem) throw new AppError("weak_password", { password: problem });
  const passwordHash = await deps.hasher.hash(password);
  const result = deps.db.transaction(
    (tx) => {
      // Read again after the hashing: what an admin changed meanwhile decides.
      const a = changeableAccount(tx, scope, id);
      assertMayTakePassword(a);
      // Against the account as it is now (an admin may have changed its address meanwhile).
      const stale = passwordProblem(password, a);
      if (stale) throw new AppError("weak_password", { password: stale });
      const now = deps.clock.now();
      const set: Partial<Account> = { passwordHash, mustChangePassword: true, updatedAt: now };
      if (a.status === "invited") set.status = "active";
      if (a.status === "disabled" && a.statusBeforeDisable === "invited") set.statusBeforeDisable = "active";
      tx.update(accounts).set(set).where(eq(accounts.id, a.id)).run();
      voidTokens(tx, deps, a.id, "password_reset");
      voidTokens(tx, deps, a.id, "setup");
      forgetLoginFailures(tx, a.id);
      const ended = invalidateUserSessions({ db: tx }, a.id);
      audit(tx, deps, { action: "admin.user_password_set", actor: ref(actor), target: ref(a), organizationId: a.organizationId, from: meta, detail: { sessionsEnded: ended } });
      // The person hears of it from Roster too, not only from the admin: one who did not ask knows at once.
      if (a.email) queueMail(tx, deps, a.email, a.language, { kind: "password_set_by_admin", name: a.nickname || a.userId, userId: a.userId });
      return present(tx, { ...a, ...set });
    },
    { behavior: "immediate" },
  );
  deps.mailQueued();
  return result;
}

/** The name of the account's organization, null for a personal account (the organizations module's prepared read). */
const orgName = (tx: Tx, a: Account): string | null => organizationName({ db: tx } as Pick<Deps, "db">, a.organizationId);

/**
 * A new setup link for an account waiting for its person to choose a password (earlier ones stop
 * working): mailed when the account has an address, else only returned, for the admin to hand over.
 */
function setupLink(tx: Tx, deps: Pick<Deps, "clock" | "config">, a: Account, organization: string): string {
  const { token } = issueToken(tx, deps, { kind: "setup", accountId: a.id, email: a.email, ttlMs: SETUP_TTL });
  const url = `${deps.config.baseUrl}/setup?token=${token}`;
  if (a.email) queueMail(tx, deps, a.email, a.language, { kind: "account_setup", name: a.nickname || a.userId, userId: a.userId, organization, url });
  return url;
}

/**
 * An admin gave the account another address (often: corrected a typo). What was mailed to the
 * old one stops working (reset and confirmation links, the code; tokenAccount() refuses them
 * too). An account still waiting for its person gets its mail again at the new address: the
 * setup mail, or the confirmation of a registration. Returns whether a mail was queued.
 */
function readdressed(tx: Tx, deps: Pick<Deps, "clock" | "config">, a: Account): boolean {
  voidTokens(tx, deps, a.id, "password_reset");
  voidTokens(tx, deps, a.id, "verify_email");
  if (!a.email) return false;
  if (a.status === "pending") {
    sendVerification(tx, deps, a);
    return true;
  }
  if (a.status !== "invited") return false;
  setupLink(tx, deps, a, orgName(tx, a) ?? "");
  return true;
}

function adminCreated(tx: Tx, accountId: string): boolean {
  return tx.select({ seq: auditLog.seq }).from(auditLog).where(and(eq(auditLog.targetId, accountId), eq(auditLog.action, "admin.user_created"))).limit(1).get() !== undefined;
}

export function present(tx: Tx, a: Account): PresentedAccount {
  return presentAccount(a, orgName(tx, a));
}

export function getUser(deps: Pick<Deps, "db">, actor: Account, id: string): PresentedAccount {
  return present(deps.db, scopedAccount(deps.db, adminScope(actor), id));
}

export { inScope, invalidateUserSessions, assertNotLastAdmin };
