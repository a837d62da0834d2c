import { eq } from "drizzle-orm";
import { z } from "zod";
import { HOUR, MINUTE } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { passwordProblem } from "../auth/password.js";
import { consumeToken, findToken, issueToken, voidTokens } from "../auth/one-time.js";
import { invalidateUserSessions } from "../auth/sessions.js";
import { forgetLoginFailures, hit } from "../auth/throttle.js";
import { audit } from "../admin/audit.js";
import { queueMail } from "../mail/outbox.js";
import { emailField, parseInput, passwordField, tokenText } from "./fields.js";
import { checkPassword } from "./login.js";
import { findByEmail, tokenAccount } from "./store.js";
import { statusOnConfirmation } from "./registration.js";

export const RESET_TTL = HOUR;

function assertStrong(password: string, a: Pick<Account, "userId" | "email">, field = "password"): void {
  const problem = passwordProblem(password, a);
  if (problem) throw new AppError("weak_password", { [field]: problem });
}

export const changeSchema = z.object({
  currentPassword: z.string({ message: "field.required" }).min(1, "field.required").max(1024),
  newPassword: passwordField,
});

/** Needs the current password; ends every other session and mails a notice. */
export async function changePassword(deps: Deps, who: { account: Account; sessionId: string }, input: unknown, meta: RequestMeta): Promise<void> {
  const i = parseInput(changeSchema, input);
  const a = who.account;
  try {
    await checkPassword(deps, a, a.userId, i.currentPassword, meta);
  } catch (e) {
    // A wrong current password is a field error on a form the user is already logged in to.
    if (e instanceof AppError && e.code === "invalid_credentials") throw new AppError("validation_failed", { currentPassword: "currentPassword.wrong" });
    throw e;
  }
  assertStrong(i.newPassword, a, "newPassword");
  const passwordHash = await deps.hasher.hash(i.newPassword);
  deps.db.transaction((tx) => {
    const now = deps.clock.now();
    tx.update(accounts).set({ passwordHash, mustChangePassword: false, updatedAt: now }).where(eq(accounts.id, a.id)).run();
    const ended = invalidateUserSessions({ db: tx }, a.id, who.sessionId);
    audit(tx, deps, { action: "account.password_changed", actor: { id: a.id, label: a.userId }, target: { id: a.id, label: a.userId }, organizationId: a.organizationId, from: meta, detail: { sessionsEnded: ended } });
    if (a.email) queueMail(tx, deps, a.email, a.language, { kind: "password_changed", name: a.nickname || a.userId, userId: a.userId });
  });
  deps.mailQueued();
}

export const requestSchema = z.object({ email: emailField });

/**
 * Always answers the same (the API says 202) whether or not the address has
 * an account. Past the per-address limit the mail is silently not sent, so
 * the limit itself tells nothing either.
 */
export function requestPasswordReset(deps: Deps, input: unknown, meta: RequestMeta): void {
  const { email } = parseInput(requestSchema, input);
  hit(deps, `reset-ip:${meta.ip}`, 30, 15 * MINUTE);
  try {
    hit(deps, `reset-email:${email.toLowerCase()}`, 3, 15 * MINUTE);
  } catch {
    return;
  }
  // Answer first, look the address up after: the time of the answer tells nothing.
  deps.afterResponse(() => {
    const sent = deps.db.transaction(
      (tx) => {
        const a = findByEmail(tx, email);
        if (!a || a.status === "disabled" || !a.email) return false;
        const { token } = issueToken(tx, deps, { kind: "password_reset", accountId: a.id, email: a.email, ttlMs: RESET_TTL });
        queueMail(tx, deps, a.email, a.language, { kind: "password_reset", name: a.nickname || a.userId, url: `${deps.config.baseUrl}/reset-password?token=${token}` });
        audit(tx, deps, { action: "account.password_reset_requested", target: { id: a.id, label: a.userId }, organizationId: a.organizationId, from: meta });
        return true;
      },
      { behavior: "immediate" },
    );
    if (sent) deps.mailQueued();
  });
}

export const confirmSchema = z.object({ token: tokenText("field.required"), password: passwordField });

/**
 * Sets a new password from a reset link and ends every session. The link
 * came by mail, so it also proves the address: a pending account is confirmed.
 */
export async function confirmPasswordReset(deps: Deps, input: unknown, meta: RequestMeta): Promise<Account> {
  const i = parseInput(confirmSchema, input);
  hit(deps, `reset-confirm-ip:${meta.ip}`, 60, 10 * MINUTE);
  const row = findToken(deps.db, deps, ["password_reset"], i.token);
  // A weak password leaves the link usable for another try.
  assertStrong(i.password, tokenAccount(deps.db, row));
  const passwordHash = await deps.hasher.hash(i.password);
  const result = deps.db.transaction(
    (tx) => {
      // Checked again after the await: the link may have been used meanwhile, and the account
      // changed (an admin disabling it stays disabled; one changing its address voids the link).
      const a = tokenAccount(tx, findToken(tx, deps, ["password_reset"], i.token));
      if (a.status === "disabled") throw new AppError("invalid_token");
      const now = deps.clock.now();
      // The link came by mail: it confirms a pending address, and an invited account now has its password.
      const status = a.status === "invited" ? "active" : statusOnConfirmation(tx, deps, a);
      const emailVerifiedAt = a.emailVerifiedAt ?? now;
      tx.update(accounts).set({ passwordHash, mustChangePassword: false, status, emailVerifiedAt, updatedAt: now }).where(eq(accounts.id, a.id)).run();
      consumeToken(tx, deps, row.id);
      voidTokens(tx, deps, a.id, "password_reset");
      forgetLoginFailures(tx, a.id);
      const ended = invalidateUserSessions({ db: tx }, a.id);
      audit(tx, deps, { action: "account.password_reset", actor: { id: a.id, label: a.userId }, target: { id: a.id, label: a.userId }, organizationId: a.organizationId, from: meta, detail: { sessionsEnded: ended } });
      return { ...a, passwordHash, status, emailVerifiedAt, updatedAt: now, mustChangePassword: false };
    },
    { behavior: "immediate" },
  );
  if (result.status === "awaiting_approval") deps.mailQueued();
  return result;
}
