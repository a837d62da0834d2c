import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import type { Tx } from "../db/client.js";
import { accounts, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { invalidateUserSessions } from "../auth/sessions.js";
import { parseInput, textField } from "../accounts/fields.js";
import type { PresentedAccount } from "../accounts/present.js";
import { queueMail } from "../mail/outbox.js";
import { audit } from "./audit.js";
import { statusOnConfirmation } from "../accounts/registration.js";
import { adminScope, assertNotLastAdmin, changeableAccount, ref, type AdminScope } from "./access.js";
import { assertAdminRoom, present } from "./user-actions.js";

type Change = (tx: Tx, scope: AdminScope, a: Account, now: Date) => { set?: Partial<Account>; detail?: Record<string, unknown>; after?: (tx: Tx, a: Account) => void };

/**
 * Runs one admin action on one account in one transaction: scope check (404
 * outside it; 403 on an owner unless the actor is one), the action's own rules, the update, the audit entry.
 */
function act(deps: Deps, actor: Account, id: string, action: string, meta: RequestMeta, change: Change): PresentedAccount {
  const scope = adminScope(actor);
  const result = deps.db.transaction(
    (tx) => {
      const a = changeableAccount(tx, scope, id);
      const now = deps.clock.now();
      const { set, detail, after } = change(tx, scope, a, now);
      const updated = set ? { ...a, ...set, updatedAt: now } : a;
      if (set) tx.update(accounts).set({ ...set, updatedAt: now }).where(eq(accounts.id, a.id)).run();
      after?.(tx, updated);
      audit(tx, deps, { action: `admin.${action}`, actor: ref(actor), target: ref(a), organizationId: a.organizationId, from: meta, detail });
      return present(tx, updated);
    },
    { behavior: "immediate" },
  );
  deps.mailQueued();
  return result;
}

const notSelf = (scope: AdminScope, a: Account) => {
  // An admin locking themselves out is a mistake, never the intent.
  if (scope.actor.id === a.id) throw new AppError("forbidden", undefined, undefined, "You cannot do this to your own account.");
};

/** Disabling ends every session of the account at once (SPEC §2). */
export const disableUser = (deps: Deps, actor: Account, id: string, meta: RequestMeta) =>
  act(deps, actor, id, "user_disabled", meta, (tx, scope, a) => {
    notSelf(scope, a);
    if (a.status === "disabled") return {};
    assertNotLastAdmin(tx, a);
    return { set: { status: "disabled", statusBeforeDisable: a.status }, detail: { from: a.status }, after: (t) => void invalidateUserSessions({ db: t }, a.id) };
  });

export const enableUser = (deps: Deps, actor: Account, id: string, meta: RequestMeta) =>
  act(deps, actor, id, "user_enabled", meta, (_tx, _scope, a) => {
    if (a.status !== "disabled") return {};
    // Back to where it was: enabling never skips a pending confirmation, an approval or a setup.
    const status = a.statusBeforeDisable ?? (a.passwordHash ? "active" : "invited");
    return { set: { status, statusBeforeDisable: null }, detail: { to: status } };
  });

/** general → admin (within adminLimit); admin → owner (owners only). */
export const promoteUser = (deps: Deps, actor: Account, id: string, meta: RequestMeta) =>
  act(deps, actor, id, "user_promoted", meta, (tx, scope, a) => {
    if (a.type === "owner") return {};
    if (a.type === "admin") {
      if (!scope.isOwner) throw new AppError("forbidden");
      return { set: { type: "owner" }, detail: { from: "admin", to: "owner" } };
    }
    if (!a.organizationId) throw new AppError("validation_failed", { type: "field.invalid" }, undefined, "A personal account has no organization to administer.");
    assertAdminRoom(tx, a.organizationId);
    return { set: { type: "admin" }, detail: { from: "general", to: "admin" } };
  });

/** owner → admin (owners only, never the last owner); admin → general (never the organization's last active admin). */
export const demoteUser = (deps: Deps, actor: Account, id: string, meta: RequestMeta) =>
  act(deps, actor, id, "user_demoted", meta, (tx, scope, a) => {
    if (a.type === "general") return {};
    if (a.type === "owner") {
      if (!scope.isOwner) throw new AppError("forbidden");
      const owners = tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.type, "owner")).all().filter((o) => o.id !== a.id);
      if (owners.length === 0) throw new AppError("last_admin", undefined, undefined, "The server's last owner cannot be demoted.");
      return { set: { type: "admin" }, detail: { from: "owner", to: "admin" } };
    }
    assertNotLastAdmin(tx, a);
    return { set: { type: "general" }, detail: { from: "admin", to: "general" } };
  });

export const markEmailVerified = (deps: Deps, actor: Account, id: string, meta: RequestMeta) =>
  act(deps, actor, id, "user_email_verified", meta, (tx, _scope, a, now) => {
    if (a.emailVerifiedAt) return {};
    return { set: { emailVerifiedAt: now, status: statusOnConfirmation(tx, deps, a) } };
  });

export const endUserSessions = (deps: Deps, actor: Account, id: string, meta: RequestMeta) =>
  act(deps, actor, id, "user_sessions_ended", meta, (tx, _scope, a) => ({ detail: { count: invalidateUserSessions({ db: tx }, a.id) } }));

/** SPEC §3 approval: the applicant becomes active and is told by mail. */
export const approveUser = (deps: Deps, actor: Account, id: string, meta: RequestMeta) =>
  act(deps, actor, id, "user_approved", meta, (_tx, _scope, a) => {
    if (a.status !== "awaiting_approval") throw new AppError("validation_failed", { status: "field.invalid" }, undefined, "The account is not waiting for approval.");
    return {
      set: { status: "active" },
      after: (tx, u) => {
        if (u.email) queueMail(tx, deps, u.email, u.language, { kind: "application_approved", name: u.nickname || u.userId, url: `${deps.config.baseUrl}/login` });
      },
    };
  });

export const declineSchema = z.object({ reason: textField("field.tooLong", { max: 1000, lines: true }).default("") });

/** A declined application, never active, is removed; the reason is mailed. */
export function declineUser(deps: Deps, actor: Account, id: string, input: unknown, meta: RequestMeta): void {
  const scope = adminScope(actor);
  const { reason } = parseInput(declineSchema, input);
  deps.db.transaction(
    (tx) => {
      const a = changeableAccount(tx, scope, id);
      if (a.status !== "awaiting_approval") throw new AppError("validation_failed", { status: "field.invalid" }, undefined, "The account is not waiting for approval.");
      if (a.email) queueMail(tx, deps, a.email, a.language, { kind: "application_declined", name: a.nickname || a.userId, reason });
      tx.delete(accounts).where(eq(accounts.id, a.id)).run();
      audit(tx, deps, { action: "admin.user_declined", actor: ref(actor), target: ref(a), organizationId: a.organizationId, from: meta, detail: { reason } });
    },
    { behavior: "immediate" },
  );
  deps.mailQueued();
}
