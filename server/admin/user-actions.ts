import { eq } from "drizzle-orm";
import { z } from "zod";
import { DAY } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import type { Tx } from "../db/client.js";
import { accounts, organizations, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { newId } from "../ids.js";
import { passwordProblem } from "../auth/password.js";
import { issueToken } from "../auth/one-time.js";
import { invalidateUserSessions } from "../auth/sessions.js";
import { avatarUrlField, emailField, fieldError, nicknameField, parseInput, passwordField, profileSchema, userIdField } from "../accounts/fields.js";
import { profileChanges } from "../accounts/profile.js";
import { presentAccount, type PresentedAccount } from "../accounts/present.js";
import { findByEmail, findByUserId } from "../accounts/store.js";
import { queueMail } from "../mail/outbox.js";
import { audit } from "./audit.js";
import { adminScope, assertNotLastAdmin, countAdmins, inScope, ref, scopedAccount, type AdminScope } from "./access.js";

export const SETUP_TTL = 7 * DAY;

const createSchema = z.object({
  type: z.enum(["general", "admin"], { message: "field.invalid" }).default("general"),
  userId: userIdField,
  nickname: nicknameField.optional(),
  avatarUrl: avatarUrlField.optional(),
  email: emailField.optional().or(z.literal("").transform(() => undefined)),
  password: passwordField.optional().or(z.literal("").transform(() => undefined)),
  /** Owners may create in any organization; admins always create in their own. */
  organizationId: z.string().max(64).optional().or(z.literal("").transform(() => undefined)),
  language: z.string().max(35).optional(),
});

export interface CreateResult {
  user: PresentedAccount;
  /** How the person gets in: a mailed setup link, the given password (changed at first log in), or a link to hand over. */
  outcome: "setup_mail" | "password" | "setup_link";
  /** Only for `setup_link`: shown once, never stored. */
  setupUrl?: string;
}

function orgFor(tx: Tx, scope: AdminScope, requested: string | undefined) {
  const id = scope.isOwner ? (requested ?? scope.actor.organizationId) : scope.actor.organizationId;
  const org = id ? tx.select().from(organizations).where(eq(organizations.id, id)).get() : undefined;
  if (!org) throw fieldError("organizationId", "field.invalid");
  return org;
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
  const i = parseInput(createSchema, input);
  if (i.password) {
    const problem = passwordProblem(i.password, { userId: i.userId, email: i.email });
    if (problem) throw new AppError("weak_password", { password: problem });
  }
  const passwordHash = i.password ? await deps.hasher.hash(i.password) : null;
  const result = deps.db.transaction(
    (tx): CreateResult => {
      const org = orgFor(tx, scope, i.organizationId);
      if (findByUserId(tx, i.userId)) throw new AppError("user_id_taken", { userId: "error.user_id_taken" });
      if (i.email && findByEmail(tx, i.email)) throw new AppError("email_taken", { email: "error.email_taken" });
      if (i.type === "admin") assertAdminRoom(tx, org.id);
      const now = deps.clock.now();
      const account = {
        id: newId(),
        organizationId: org.id,
        userId: i.userId,
        email: i.email ?? null,
        emailLower: i.email?.toLowerCase() ?? null,
        passwordHash,
        mustChangePassword: Boolean(passwordHash),
        type: i.type,
        status: passwordHash ? ("active" as const) : ("invited" as const),
        nickname: i.nickname ?? "",
        avatarUrl: i.avatarUrl ?? "",
        language: i.language ?? actor.language,
        createdAt: now,
        updatedAt: now,
      };
      tx.insert(accounts).values(account).run();
      const created = tx.select().from(accounts).where(eq(accounts.id, account.id)).get() as Account;
      let outcome: CreateResult["outcome"] = "password";
      let setupUrl: string | undefined;
      if (!passwordHash) {
        const { token } = issueToken(tx, deps, { kind: "setup", accountId: created.id, email: created.email, ttlMs: SETUP_TTL });
        const url = `${deps.config.baseUrl}/setup?token=${token}`;
        if (created.email) {
          outcome = "setup_mail";
          queueMail(tx, deps, created.email, created.language, { kind: "account_setup", name: created.nickname || created.userId, userId: created.userId, organization: org.name, url });
        } else {
          outcome = "setup_link";
          setupUrl = url;
        }
      }
      audit(tx, deps, { action: "admin.user_created", actor: ref(actor), target: ref(created), organizationId: org.id, ip: meta.ip, detail: { type: i.type, outcome } });
      return { user: presentAccount(created, org.name), outcome, setupUrl };
    },
    { behavior: "immediate" },
  );
  deps.mailQueued();
  return result;
}

const updateSchema = profileSchema.extend({
  email: emailField.optional().or(z.literal("").transform(() => null)).or(z.null()),
  level: z.number({ message: "field.invalid" }).int("field.invalid").min(0, "field.invalid").max(2_147_483_647, "field.invalid").optional(),
  role: z.number({ message: "field.invalid" }).int("field.invalid").min(0, "field.invalid").max(2_147_483_647, "field.invalid").optional(),
  friendingForbidden: z.boolean({ message: "field.invalid" }).optional(),
});

/** Admin edit: every profile field plus level, role and friendingForbidden. userId and type are not editable here. */
export function updateUser(deps: Deps, actor: Account, id: string, input: unknown, meta: RequestMeta): PresentedAccount {
  const scope = adminScope(actor);
  const i = parseInput(updateSchema, input);
  return deps.db.transaction(
    (tx) => {
      const a = scopedAccount(tx, scope, id);
      const now = deps.clock.now();
      const set: Partial<Account> = profileChanges(i, now.toISOString().slice(0, 10));
      if (i.level !== undefined) set.level = i.level;
      if (i.role !== undefined) set.role = i.role;
      if (i.friendingForbidden !== undefined) set.friendingForbidden = i.friendingForbidden;
      if (i.email !== undefined && (i.email?.toLowerCase() ?? null) !== a.emailLower) {
        const holder = i.email ? findByEmail(tx, i.email) : undefined;
        if (holder && holder.id !== a.id) throw new AppError("email_taken", { email: "error.email_taken" });
        set.email = i.email;
        set.emailLower = i.email?.toLowerCase() ?? null;
        set.emailVerifiedAt = null;
      }
      if (Object.keys(set).length) {
        tx.update(accounts).set({ ...set, updatedAt: now }).where(eq(accounts.id, a.id)).run();
        audit(tx, deps, { action: "admin.user_updated", actor: ref(actor), target: ref(a), organizationId: a.organizationId, ip: meta.ip, detail: { fields: Object.keys(set) } });
      }
      return present(tx, { ...a, ...set, updatedAt: Object.keys(set).length ? now : a.updatedAt });
    },
    { behavior: "immediate" },
  );
}

export function present(tx: Tx, a: Account): PresentedAccount {
  const org = a.organizationId ? tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, a.organizationId)).get() : undefined;
  return presentAccount(a, org?.name ?? null);
}

export function getUser(deps: Pick<Deps, "db">, actor: Account, id: string): PresentedAccount {
  return present(deps.db, scopedAccount(deps.db, adminScope(actor), id));
}

export { inScope, invalidateUserSessions, assertNotLastAdmin };
