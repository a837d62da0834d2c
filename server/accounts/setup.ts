import { eq } from "drizzle-orm";
import { z } from "zod";
import { MINUTE } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import { accounts, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { passwordProblem } from "../auth/password.js";
import { consumeToken, findToken, type OneTimeToken } from "../auth/one-time.js";
import { hit } from "../auth/throttle.js";
import { audit } from "../admin/audit.js";
import { parseInput, passwordField, tokenText } from "./fields.js";
import { tokenAccount } from "./store.js";
import type { Tx } from "../db/client.js";

/** The account an admin-created setup link is for (the setup page shows its user ID); throws for a dead link. */
export function checkSetupToken(deps: Pick<Deps, "db" | "clock">, token: unknown): Account {
  return setupAccount(deps.db, findToken(deps.db, deps, ["setup"], token));
}

function setupAccount(tx: Tx, row: OneTimeToken): Account {
  const a = tokenAccount(tx, row);
  if (a.status !== "invited") throw new AppError("invalid_token");
  return a;
}

export const schema = z.object({ token: tokenText("field.required"), password: passwordField });

/**
 * SPEC §3 admin-created accounts: the person behind the setup link chooses a
 * password and the account becomes active. A mailed link also confirms the
 * address.
 */
export async function completeSetup(deps: Deps, input: unknown, meta: RequestMeta): Promise<Account> {
  const i = parseInput(schema, input);
  hit(deps, `setup-ip:${meta.ip}`, 60, 10 * MINUTE);
  const problem = passwordProblem(i.password, checkSetupToken(deps, i.token));
  if (problem) throw new AppError("weak_password", { password: problem });
  const passwordHash = await deps.hasher.hash(i.password);
  return deps.db.transaction(
    (tx) => {
      // Read again after the await: an admin may have disabled the account or changed its address meanwhile.
      const row = findToken(tx, deps, ["setup"], i.token);
      const a = setupAccount(tx, row);
      const now = deps.clock.now();
      const emailVerifiedAt = a.email && row.email ? now : a.emailVerifiedAt;
      tx.update(accounts).set({ passwordHash, status: "active", mustChangePassword: false, emailVerifiedAt, updatedAt: now }).where(eq(accounts.id, a.id)).run();
      consumeToken(tx, deps, row.id);
      audit(tx, deps, { action: "account.setup_completed", actor: { id: a.id, label: a.userId }, target: { id: a.id, label: a.userId }, organizationId: a.organizationId, from: meta });
      return { ...a, passwordHash, status: "active" as const, mustChangePassword: false, emailVerifiedAt, updatedAt: now };
    },
    { behavior: "immediate" },
  );
}
