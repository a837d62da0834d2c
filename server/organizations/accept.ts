import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, invitations, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { newId } from "../ids.js";
import { passwordProblem } from "../auth/password.js";
import { createSession, deviceName } from "../auth/sessions.js";
import { nicknameField, parseInput, passwordField, userIdField } from "../accounts/fields.js";
import { presentAccount } from "../accounts/present.js";
import { findByEmail, findByUserId } from "../accounts/store.js";
import { audit } from "../admin/audit.js";
import { ref } from "../admin/access.js";
import { assertAdminRoom } from "../admin/user-actions.js";
import { effectiveStatus, findInvitationByToken, presentInvitation } from "./invitations.js";

/**
 * What the link leads to: a new account, a personal account moving in, or
 * nothing (already a member, managed elsewhere, expired, revoked, used).
 * Only the holder of the link sees this, and the link went to that address.
 */
export function describeInvitation(deps: Pick<Deps, "db" | "clock">, token: unknown, viewer: Account | null) {
  const { inv, org } = findInvitationByToken(deps.db, token);
  const now = deps.clock.now();
  const existing = findByEmail(deps.db, inv.email);
  const mode = !existing ? "new_account" : existing.organizationId === org.id ? "already_member" : existing.organizationId ? "managed_by_other_organization" : "move_personal";
  return {
    ...presentInvitation(inv, now, org.name),
    mode,
    /** A logged-in viewer who is not the invited person is told whose request it is. */
    viewerMatches: viewer ? viewer.emailLower === inv.emailLower : null,
  };
}

export const newAccountSchema = z.object({ userId: userIdField, nickname: nicknameField.optional(), password: passwordField });

/**
 * Accepts a registration request. No account with the address: creates it
 * (active and verified: the link came by mail) and logs it in. A personal
 * account: needs that account's own session, then moves the same account,
 * with everything it owns, into the organization.
 */
export async function acceptInvitation(deps: Deps, token: unknown, input: unknown, viewer: Account | null, meta: RequestMeta) {
  const { inv, org } = findInvitationByToken(deps.db, token);
  const status = effectiveStatus(inv, deps.clock.now());
  if (status === "expired") throw new AppError("token_expired");
  if (status !== "pending") throw new AppError("invalid_token", undefined, undefined, `This registration request was ${status}.`);
  const existing = findByEmail(deps.db, inv.email);

  if (!existing) {
    const i = parseInput(newAccountSchema, input);
    const problem = passwordProblem(i.password, { userId: i.userId, email: inv.email });
    // Both at once, so the form marks every field to correct (the transaction checks the user ID again).
    if (problem) throw new AppError("weak_password", { password: problem, ...(findByUserId(deps.db, i.userId) ? { userId: "error.user_id_taken" } : {}) });
    const passwordHash = await deps.hasher.hash(i.password);
    const r = deps.db.transaction(
      (tx) => {
        const again = findInvitationByToken(tx, token);
        if (effectiveStatus(again.inv, deps.clock.now()) !== "pending") throw new AppError("invalid_token");
        if (findByEmail(tx, inv.email)) throw new AppError("invalid_token");
        if (findByUserId(tx, i.userId)) throw new AppError("user_id_taken", { userId: "error.user_id_taken" });
        if (inv.type === "admin") assertAdminRoom(tx, org.id);
        const now = deps.clock.now();
        const id = newId();
        tx.insert(accounts).values({ id, organizationId: org.id, userId: i.userId, email: inv.email, emailLower: inv.emailLower, passwordHash, type: inv.type, status: "active", nickname: i.nickname ?? "", language: meta.language ?? "en", createdAt: now, updatedAt: now, emailVerifiedAt: now, lastLoginAt: now }).run();
        tx.update(invitations).set({ status: "accepted", acceptedAccountId: id, updatedAt: now }).where(eq(invitations.id, inv.id)).run();
        const account = tx.select().from(accounts).where(eq(accounts.id, id)).get() as Account;
        audit(tx, deps, { action: "invitation.accepted", actor: ref(account), target: ref(account), organizationId: org.id, from: meta, detail: { mode: "new_account", type: inv.type } });
        const s = createSession({ db: tx, clock: deps.clock }, id, { device: deviceName(meta.userAgent), ip: meta.ip });
        return { account, session: s };
      },
      { behavior: "immediate" },
    );
    return { mode: "new_account" as const, user: presentAccount(r.account, org.name), token: r.session.token, expiresAt: r.session.session.expiresAt };
  }

  if (existing.organizationId === org.id) throw new AppError("already_member");
  if (existing.organizationId) throw new AppError("managed_by_other_organization");
  if (!viewer) throw new AppError("unauthenticated", undefined, undefined, "Log in with the account this request was sent to, then accept it.");
  if (viewer.id !== existing.id) throw new AppError("forbidden", undefined, undefined, `This registration request is for ${inv.email}.`);
  const moved = deps.db.transaction(
    (tx) => {
      const again = findInvitationByToken(tx, token);
      if (effectiveStatus(again.inv, deps.clock.now()) !== "pending") throw new AppError("invalid_token");
      if (inv.type === "admin") assertAdminRoom(tx, org.id);
      const now = deps.clock.now();
      const type = inv.type === "admin" ? "admin" : existing.type === "owner" ? "owner" : "general";
      tx.update(accounts).set({ organizationId: org.id, type, updatedAt: now }).where(eq(accounts.id, existing.id)).run();
      tx.update(invitations).set({ status: "accepted", acceptedAccountId: existing.id, updatedAt: now }).where(eq(invitations.id, inv.id)).run();
      audit(tx, deps, { action: "invitation.accepted", actor: ref(existing), target: ref(existing), organizationId: org.id, from: meta, detail: { mode: "move_personal", type } });
      return { ...existing, organizationId: org.id, type, updatedAt: now } as Account;
    },
    { behavior: "immediate" },
  );
  return { mode: "move_personal" as const, user: presentAccount(moved, org.name) };
}
