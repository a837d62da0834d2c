import { and, eq, inArray, isNotNull, type SQL } from "drizzle-orm";
import { z } from "zod";
import { DAY, HOUR, MINUTE } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, type Account, type AccountStatus } from "../db/schema.js";
import { AppError } from "../errors.js";
import { newId } from "../ids.js";
import { passwordProblem } from "../auth/password.js";
import { issueToken } from "../auth/one-time.js";
import { atMostEvery, hit } from "../auth/throttle.js";
import { audit } from "../admin/audit.js";
import { getSettings, type ServerSettings } from "../admin/settings.js";
import { queueMail, type Tx } from "../mail/outbox.js";
import { createOrganization, emailDomain, organizationForEmail } from "../organizations/organizations.js";
import { emailField, languageField, nicknameField, organizationNameField, parseInput, passwordField, userIdField } from "./fields.js";
import { presentAccount, type PresentedAccount } from "./present.js";
import { anyAccount, deriveUserId, findByEmail, findByUserId } from "./store.js";

export const VERIFICATION_TTL = DAY;

export const registerSchema = z.object({
  email: emailField,
  password: passwordField,
  userId: userIdField.optional().or(z.literal("").transform(() => undefined)),
  nickname: nicknameField.optional(),
  organizationName: organizationNameField.optional().or(z.literal("").transform(() => undefined)),
  /** First account only: claim the email's domain for the new organization (default yes). */
  claimDomain: z.boolean({ message: "field.invalid" }).optional(),
  language: languageField.optional(),
});
export type RegisterInput = z.input<typeof registerSchema>;

export interface RegisterResult {
  user: PresentedAccount;
  verificationRequired: boolean;
  /** True when this registration created the server's first organization and owner. */
  firstAccount: boolean;
}

/** Throws the policy's refusal, if the email may not self-register (SPEC §3). */
function checkPolicy(tx: Tx, s: ServerSettings, email: string): void {
  if (s.registration === "closed") throw new AppError("registration_closed");
  if (s.registration === "invite") throw new AppError("invitation_required");
  if (s.registration === "domain" && !organizationForEmail(tx, email)) throw new AppError("domain_not_allowed");
}

function baseAccount(now: Date, o: Partial<Account> & Pick<Account, "userId" | "status">): Account {
  return {
    id: newId(),
    organizationId: null,
    email: null,
    emailLower: null,
    passwordHash: null,
    mustChangePassword: false,
    type: "general",
    nickname: "",
    avatarUrl: "",
    groupName: "",
    gender: "unknown",
    birthDate: null,
    location: "",
    statusMessage: "",
    language: "en",
    friendPolicy: "need_confirm",
    friendingForbidden: false,
    pushOffline: true,
    level: 0,
    role: 0,
    createdAt: now,
    updatedAt: now,
    lastLoginAt: null,
    emailVerifiedAt: null,
    statusBeforeDisable: null,
    ...o,
  };
}

/**
 * Creates the server's first account: owner and admin of a new organization,
 * active at once. Returns null when an account already exists — callers run
 * it inside an IMMEDIATE transaction, so of two racing first registrations
 * exactly one sees an empty table.
 */
export function createFirstAccount(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  o: { email: string; passwordHash: string; userId?: string; nickname?: string; organizationName: string; claimDomain: boolean; language: string },
  meta: Pick<RequestMeta, "ip">,
): Account | null {
  if (anyAccount(tx)) return null;
  const now = deps.clock.now();
  const org = createOrganization(tx, deps, o.organizationName, o.claimDomain ? [emailDomain(o.email)] : []);
  const account = baseAccount(now, {
    organizationId: org.id,
    userId: o.userId ?? deriveUserId(tx, o.email),
    email: o.email,
    emailLower: o.email.toLowerCase(),
    passwordHash: o.passwordHash,
    type: "owner",
    status: "active",
    nickname: o.nickname ?? "",
    language: o.language,
    emailVerifiedAt: now,
  });
  tx.insert(accounts).values(account).run();
  const who = { id: account.id, label: account.userId };
  audit(tx, deps, { action: "organization.created", actor: who, organizationId: org.id, from: meta, detail: { name: org.name, claimedDomain: o.claimDomain ? emailDomain(o.email) : null } });
  audit(tx, deps, { action: "account.created_first_owner", actor: who, target: who, organizationId: org.id, from: meta });
  return account;
}

/** The status a self-registered account gets once its email is confirmed (or at once when confirmation is off). */
export const statusAfterVerification = (s: ServerSettings): AccountStatus => (s.registration === "approval" ? "awaiting_approval" : "active");

/**
 * The status a pending account moves to once its address is confirmed, by
 * link, code, reset link or an admin; when that is `awaiting_approval` the
 * approvers are mailed. Any other status stays as it is. Call it in the
 * transaction that writes the returned status.
 */
export function statusOnConfirmation(tx: Tx, deps: Pick<Deps, "clock" | "config">, account: Account): AccountStatus {
  if (account.status !== "pending") return account.status;
  const status = statusAfterVerification(getSettings({ db: tx }));
  if (status === "awaiting_approval") notifyApprovers(tx, deps, { ...account, status });
  return status;
}

/**
 * SPEC §3 approval: once an application waits, the active admins of its
 * organization (the owners, for a personal account) are mailed. Call it in
 * the transaction that sets `awaiting_approval`.
 */
export function notifyApprovers(tx: Tx, deps: Pick<Deps, "clock" | "config">, applicant: Account): void {
  const approvers: SQL | undefined = applicant.organizationId
    ? and(eq(accounts.organizationId, applicant.organizationId), inArray(accounts.type, ["admin", "owner"]))
    : eq(accounts.type, "owner");
  const rows = tx.select().from(accounts).where(and(approvers, eq(accounts.status, "active"), isNotNull(accounts.email))).all();
  for (const a of rows) {
    queueMail(tx, deps, a.email ?? "", a.language, {
      kind: "application_received",
      name: a.nickname || a.userId,
      applicant: applicant.nickname || applicant.userId,
      email: applicant.email ?? "",
      url: `${deps.config.baseUrl}/admin/approvals`,
    });
  }
}

/**
 * SPEC §3 registration. Registering an address that already has an account
 * answers exactly as a fresh registration does (same status, same body
 * shape, the same password hashing cost) and mails that address's owner a
 * notice instead, so registration never tells who has an account.
 */
export async function register(deps: Deps, input: unknown, meta: RequestMeta): Promise<RegisterResult> {
  const i = parseInput(registerSchema, input);
  hit(deps, `register-ip:${meta.ip}`, 100, 10 * MINUTE);
  hit(deps, `register-email:${i.email.toLowerCase()}`, 5, HOUR);
  const problem = passwordProblem(i.password, { userId: i.userId, email: i.email });
  if (problem) throw new AppError("weak_password", { password: problem, ...(userIdTakenToo(deps, i) ? { userId: "error.user_id_taken" } : {}) });
  // SPEC §3: resending is allowed once a minute, and registering sent the first mail (to a new
  // account, or the notice to an existing one: the same for both, so the wait tells nothing).
  try {
    atMostEvery(deps, `resend-email:${i.email.toLowerCase()}`, MINUTE);
  } catch {
    // A resend a moment ago already started the minute.
  }
  const passwordHash = await deps.hasher.hash(i.password);
  const language = i.language ?? meta.language ?? "en";

  const result = deps.db.transaction(
    (tx): RegisterResult => {
      const first = createFirstAccount(
        tx,
        deps,
        {
          email: i.email,
          passwordHash,
          userId: i.userId,
          nickname: i.nickname,
          organizationName: i.organizationName ?? "",
          claimDomain: i.claimDomain ?? true,
          language,
        },
        meta,
      );
      if (first) {
        if (!i.organizationName) throw new AppError("validation_failed", { organizationName: "organizationName.required" });
        assertNotUserId(i.password, first.userId);
        return { user: presentAccount(first, i.organizationName), verificationRequired: false, firstAccount: true };
      }

      const s = getSettings({ db: tx });
      checkPolicy(tx, s, i.email);
      if (i.userId && findByUserId(tx, i.userId)) throw new AppError("user_id_taken", { userId: "error.user_id_taken" });
      const org = organizationForEmail(tx, i.email);
      const now = deps.clock.now();
      const status: AccountStatus = s.verificationRequired ? "pending" : statusAfterVerification(s);
      const existing = findByEmail(tx, i.email);
      const account = baseAccount(now, {
        organizationId: org?.id ?? null,
        userId: i.userId ?? deriveUserId(tx, i.email),
        email: i.email,
        emailLower: i.email.toLowerCase(),
        passwordHash,
        status,
        nickname: i.nickname ?? "",
        language,
      });
      // A userId derived from the email is known only now; the password must not equal it either.
      assertNotUserId(i.password, account.userId);

      if (existing) {
        // Tell the owner of the address, not the caller. The account above is never stored.
        const reset = issueToken(tx, deps, { kind: "password_reset", accountId: existing.id, email: existing.email, ttlMs: HOUR });
        queueMail(tx, deps, existing.email ?? i.email, existing.language, {
          kind: "existing_account",
          name: existing.nickname || existing.userId,
          userId: existing.userId,
          resetUrl: `${deps.config.baseUrl}/reset-password?token=${reset.token}`,
        });
        audit(tx, deps, { action: "account.register_existing_email", target: { id: existing.id, label: existing.userId }, organizationId: existing.organizationId, from: meta });
      } else {
        tx.insert(accounts).values(account).run();
        if (s.verificationRequired) sendVerification(tx, deps, account);
        else if (status === "awaiting_approval") notifyApprovers(tx, deps, account);
        audit(tx, deps, { action: "account.registered", actor: { id: account.id, label: account.userId }, target: { id: account.id, label: account.userId }, organizationId: account.organizationId, from: meta, detail: { status } });
      }
      return { user: presentAccount(account, org?.name ?? null), verificationRequired: s.verificationRequired, firstAccount: false };
    },
    { behavior: "immediate" },
  );
  deps.mailQueued();
  return result;
}

/**
 * With a weak password, whether the chosen user ID is taken as well, so the
 * form marks both at once (the transaction checks the user ID again). Only
 * where this caller may register: a closed server, or a domain not allowed,
 * tells nothing about who has an account.
 */
function userIdTakenToo(deps: Deps, i: { userId?: string; email: string }): boolean {
  if (i.userId === undefined || !anyAccount(deps.db)) return false;
  try {
    checkPolicy(deps.db, getSettings(deps), i.email);
  } catch {
    return false;
  }
  return findByUserId(deps.db, i.userId) !== undefined;
}

function assertNotUserId(password: string, userId: string): void {
  const problem = passwordProblem(password, { userId });
  if (problem) throw new AppError("weak_password", { password: problem });
}

/** Issues a confirmation link and code for the account's address and queues the mail. */
export function sendVerification(tx: Tx, deps: Pick<Deps, "clock" | "config">, account: Account): void {
  if (!account.email) return;
  const { token, code } = issueToken(tx, deps, { kind: "verify_email", accountId: account.id, email: account.email, ttlMs: VERIFICATION_TTL, withCode: true });
  queueMail(tx, deps, account.email, account.language, {
    kind: "verify_email",
    name: account.nickname || account.userId,
    url: `${deps.config.baseUrl}/verify-email?token=${token}`,
    code: code ?? "",
  });
}

const bootstrapSchema = z.object({ email: emailField, userId: userIdField.optional(), organizationName: organizationNameField });

/**
 * ROSTER_ADMIN_EMAIL + ROSTER_ADMIN_PASSWORD at start-up (and the CLI): the
 * same first account as the registration page makes. Does nothing when the
 * server already has accounts.
 */
export async function bootstrapOwner(
  deps: Deps,
  o: { email: string; password: string; organizationName: string; userId?: string },
): Promise<Account | null> {
  if (anyAccount(deps.db)) return null;
  // The same rules as registration (SPEC §2): a user ID is stored lower-case, as every lookup asks for it.
  const i = parseInput(bootstrapSchema, { email: o.email, userId: o.userId, organizationName: o.organizationName });
  const { email, userId } = i;
  const problem = passwordProblem(o.password, { email, userId });
  if (problem) throw new AppError("weak_password", { password: problem });
  const passwordHash = await deps.hasher.hash(o.password);
  return deps.db.transaction(
    (tx) => {
      const first = createFirstAccount(tx, deps, { email, passwordHash, userId, organizationName: i.organizationName, claimDomain: true, language: "en" }, { ip: "bootstrap" });
      if (first) assertNotUserId(o.password, first.userId);
      return first;
    },
    { behavior: "immediate" },
  );
}
