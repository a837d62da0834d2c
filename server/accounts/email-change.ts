import { z } from "zod";
import { DAY } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import type { Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { issueToken } from "../auth/one-time.js";
import { audit } from "../admin/audit.js";
import { queueMail } from "../mail/outbox.js";
import { emailField, parseInput } from "./fields.js";
import { checkPassword } from "./login.js";
import { findByEmail } from "./store.js";

export const schema = z.object({
  newEmail: emailField,
  password: z.string({ message: "field.required" }).min(1, "field.required").max(1024),
});

/**
 * Needs the password. The new address gets a link (confirmed through
 * verify-email), the old one a notice. If the new address belongs to another
 * account the caller is told nothing different: that address gets a mail
 * saying so instead.
 */
export async function requestEmailChange(deps: Deps, account: Account, input: unknown, meta: RequestMeta): Promise<void> {
  const i = parseInput(schema, input);
  if (account.emailLower === i.newEmail.toLowerCase()) throw new AppError("validation_failed", { newEmail: "email.invalid" });
  try {
    await checkPassword(deps, account, account.userId, i.password, meta);
  } catch (e) {
    if (e instanceof AppError && e.code === "invalid_credentials") throw new AppError("validation_failed", { password: "currentPassword.wrong" });
    throw e;
  }
  deps.db.transaction(
    (tx) => {
      const holder = findByEmail(tx, i.newEmail);
      const who = { id: account.id, label: account.userId };
      if (holder) {
        queueMail(tx, deps, i.newEmail, holder.language, { kind: "email_change_taken" });
      } else {
        const { token } = issueToken(tx, deps, { kind: "email_change", accountId: account.id, email: i.newEmail, ttlMs: DAY });
        queueMail(tx, deps, i.newEmail, account.language, { kind: "email_change", name: account.nickname || account.userId, userId: account.userId, url: `${deps.config.baseUrl}/verify-email?token=${token}` });
      }
      if (account.email) {
        queueMail(tx, deps, account.email, account.language, { kind: "email_change_notice", name: account.nickname || account.userId, userId: account.userId, newEmail: i.newEmail });
      }
      audit(tx, deps, { action: "account.email_change_requested", actor: who, target: who, organizationId: account.organizationId, from: meta, detail: { to: i.newEmail } });
    },
    { behavior: "immediate" },
  );
  deps.mailQueued();
}
