import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { MINUTE } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, oneTimeTokens, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { consumeToken, findToken, voidTokens } from "../auth/one-time.js";
import { atMostEvery, hit } from "../auth/throttle.js";
import { hashCode, sameHash } from "../auth/tokens.js";
import { audit } from "../admin/audit.js";
import type { Tx } from "../mail/outbox.js";
import { emailField, parseInput, tokenText, typedIdentifier } from "./fields.js";
import { presentAccount, type PresentedAccount } from "./present.js";
import { findByEmail, stillAddressed, tokenAccount } from "./store.js";
import { organizationName } from "../organizations/organizations.js";
import { sendVerification, statusOnConfirmation } from "./registration.js";

export const MAX_CODE_ATTEMPTS = 5;

export const verifySchema = z.union([
  z.object({ token: tokenText("field.invalid") }),
  // The code in NFKC too: "１２３４５６" typed with an input method is the code.
  z.object({ email: emailField, code: typedIdentifier("code.invalid").regex(/^\d{6}$/, "code.invalid") }),
]);

export interface VerifyResult {
  user: PresentedAccount;
  /** What the token confirmed: a registration, or a new address. */
  kind: "verify_email" | "email_change";
}

function confirmRegistration(tx: Tx, deps: Pick<Deps, "clock" | "config">, account: Account, ip: string): Account {
  if (account.status !== "pending") return account;
  const now = deps.clock.now();
  const status = statusOnConfirmation(tx, deps, account);
  tx.update(accounts).set({ status, emailVerifiedAt: now, updatedAt: now }).where(eq(accounts.id, account.id)).run();
  voidTokens(tx, deps, account.id, "verify_email");
  audit(tx, deps, { action: "account.email_verified", actor: { id: account.id, label: account.userId }, target: { id: account.id, label: account.userId }, organizationId: account.organizationId, ip, detail: { status } });
  return { ...account, status, emailVerifiedAt: now, updatedAt: now };
}

function confirmEmailChange(tx: Tx, deps: Pick<Deps, "clock">, account: Account, newEmail: string, ip: string): Account {
  const holder = findByEmail(tx, newEmail);
  if (holder && holder.id !== account.id) throw new AppError("email_taken");
  const now = deps.clock.now();
  tx.update(accounts).set({ email: newEmail, emailLower: newEmail.toLowerCase(), emailVerifiedAt: now, updatedAt: now }).where(eq(accounts.id, account.id)).run();
  // Links mailed to the old address must not outlive it: whoever reads that mailbox now may not be the owner.
  voidTokens(tx, deps, account.id, "password_reset");
  voidTokens(tx, deps, account.id, "verify_email");
  audit(tx, deps, { action: "account.email_changed", actor: { id: account.id, label: account.userId }, target: { id: account.id, label: account.userId }, organizationId: account.organizationId, ip, detail: { from: account.email, to: newEmail } });
  return { ...account, email: newEmail, emailLower: newEmail.toLowerCase(), emailVerifiedAt: now, updatedAt: now };
}

/**
 * What a confirmation link would confirm, without using it: the page the link opens asks
 * for a press of a button first. Mail filters (Safe Links and the like) open every link in
 * a mail, and only a person should confirm an address. Throws for a dead link.
 */
export function describeVerificationLink(deps: Pick<Deps, "db" | "clock">, token: unknown): { kind: VerifyResult["kind"]; email: string } {
  const row = findToken(deps.db, deps, ["verify_email", "email_change"], token);
  const account = tokenAccount(deps.db, row);
  if (row.kind === "email_change") return { kind: "email_change", email: row.email ?? "" };
  // A registration already confirmed (by its code, say) has nothing left to confirm.
  if (account.status !== "pending") throw new AppError("invalid_token");
  return { kind: "verify_email", email: account.email ?? "" };
}

/**
 * Confirms an address with the mailed link's token (a registration or an
 * email change) or, for registrations, with the 6-digit code. Five wrong
 * codes void the code; the link keeps working until it expires.
 */
export function verifyEmail(deps: Deps, input: unknown, meta: RequestMeta): VerifyResult {
  const i = parseInput(verifySchema, input);
  if ("code" in i) {
    hit(deps, `verify-code-ip:${meta.ip}`, 30, 10 * MINUTE);
    countWrongCode(deps, i.email, i.code);
  }
  // Everything below is synchronous: no other request runs between the
  // lookup and the write, so a code or link cannot be used twice.
  const result = deps.db.transaction(
    (tx): VerifyResult => {
      if ("token" in i) {
        const row = findToken(tx, deps, ["verify_email", "email_change"], i.token);
        const account = tokenAccount(tx, row);
        consumeToken(tx, deps, row.id);
        const updated =
          row.kind === "email_change"
            ? confirmEmailChange(tx, deps, account, row.email ?? "", meta.ip)
            : confirmRegistration(tx, deps, account, meta.ip);
        return { user: present(tx, updated), kind: row.kind === "email_change" ? "email_change" : "verify_email" };
      }
      const account = findByEmail(tx, i.email);
      // The code confirms only the address it was mailed to (an admin may have changed it since).
      const row = account?.status === "pending" ? latestCodeToken(tx, account.id) : undefined;
      if (!account || !row?.codeHash || !stillAddressed(row, account) || row.codeAttempts >= MAX_CODE_ATTEMPTS || !sameHash(hashCode(row.tokenHash, i.code), row.codeHash))
        throw new AppError("invalid_token", { code: "code.invalid" });
      if (deps.clock.now().getTime() >= row.expiresAt.getTime()) throw new AppError("token_expired");
      consumeToken(tx, deps, row.id);
      return { user: present(tx, confirmRegistration(tx, deps, account, meta.ip)), kind: "verify_email" };
    },
    { behavior: "immediate" },
  );
  if (result.user.status === "awaiting_approval") deps.mailQueued();
  return result;
}

function latestCodeToken(tx: Tx, accountId: string) {
  return tx
    .select()
    .from(oneTimeTokens)
    .where(and(eq(oneTimeTokens.accountId, accountId), eq(oneTimeTokens.kind, "verify_email"), isNull(oneTimeTokens.usedAt)))
    .orderBy(desc(oneTimeTokens.createdAt))
    .get();
}

const present = (tx: Tx, a: Account) => presentAccount(a, organizationName({ db: tx } as Pick<Deps, "db">, a.organizationId));

/**
 * Checks the code before verifyEmail's transaction, so a wrong code's count
 * is committed (a throw inside the transaction would roll it back).
 */
function countWrongCode(deps: Deps, email: string, code: string): void {
  const account = findByEmail(deps.db, email);
  if (account?.status !== "pending") return;
  const row = latestCodeToken(deps.db, account.id);
  if (!row?.codeHash || sameHash(hashCode(row.tokenHash, code), row.codeHash)) return;
  deps.db.update(oneTimeTokens).set({ codeAttempts: sql`${oneTimeTokens.codeAttempts} + 1` }).where(eq(oneTimeTokens.id, row.id)).run();
  throw new AppError("invalid_token", { code: "code.invalid" });
}

export const resendSchema = z.object({ email: emailField });

/**
 * Sends a new confirmation mail (allowed once a minute per address). The
 * answer is the same whether or not the address has a pending account.
 */
export function resendVerification(deps: Deps, input: unknown, meta: RequestMeta): void {
  const { email } = parseInput(resendSchema, input);
  hit(deps, `resend-ip:${meta.ip}`, 30, 10 * MINUTE);
  atMostEvery(deps, `resend-email:${email.toLowerCase()}`, MINUTE);
  // Answer first, look the address up after: the time of the answer tells nothing.
  deps.afterResponse(() => {
    const sent = deps.db.transaction(
      (tx) => {
        const account = findByEmail(tx, email);
        if (!account || account.status !== "pending") return false;
        sendVerification(tx, deps, account);
        return true;
      },
      { behavior: "immediate" },
    );
    if (sent) deps.mailQueued();
  });
}
