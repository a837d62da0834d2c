import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import type { Tx } from "../db/client.js";
import { accounts, type Account } from "../db/schema.js";
import { AppError, type ErrorCode } from "../errors.js";
import { parseInput } from "../accounts/fields.js";
import { audit } from "./audit.js";
import { getSettings } from "./settings.js";
import { adminScope, assertNotLastAdmin, changeableAccount, ref, type AdminScope } from "./access.js";

function assertUnlocked(tx: Tx): void {
  if (getSettings({ db: tx }).deletionLocked) throw new AppError("deletion_locked");
}

/** Deleted means gone: the row, and by cascade its sessions, tokens and API keys. */
function deleteOne(tx: Tx, deps: Pick<Deps, "clock">, scope: AdminScope, a: Account, meta: RequestMeta): void {
  if (scope.actor.id === a.id) throw new AppError("forbidden", undefined, undefined, "You cannot delete your own account.");
  assertNotLastAdmin(tx, a);
  if (a.type === "owner" && tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.type, "owner")).all().length <= 1) throw new AppError("last_admin");
  tx.delete(accounts).where(eq(accounts.id, a.id)).run();
  audit(tx, deps, { action: "admin.user_deleted", actor: ref(scope.actor), target: ref(a), organizationId: a.organizationId, from: meta, detail: { email: a.email, type: a.type } });
}

export function deleteUser(deps: Deps, actor: Account, id: string, meta: RequestMeta): void {
  const scope = adminScope(actor);
  deps.db.transaction(
    (tx) => {
      // Scope first: an id outside it is not_found (an owner, for an admin: forbidden) whatever the lock says.
      const a = changeableAccount(tx, scope, id);
      assertUnlocked(tx);
      deleteOne(tx, deps, scope, a, meta);
    },
    { behavior: "immediate" },
  );
}

export const batchSchema = z.object({ ids: z.array(z.string({ message: "field.invalid" }).max(64), { message: "field.invalid" }).min(1, "field.required").max(1000, "field.tooLong") });

export interface BatchResult {
  id: string;
  status: "deleted" | "error";
  code?: ErrorCode;
}

/**
 * Deletes each id on its own: one that fails (not found, forbidden owner, last admin…) does
 * not stop the others. While deletion is locked, nothing is deleted at all.
 */
export function batchDelete(deps: Deps, actor: Account, input: unknown, meta: RequestMeta): BatchResult[] {
  const scope = adminScope(actor);
  const { ids } = parseInput(batchSchema, input);
  assertUnlocked(deps.db);
  return [...new Set(ids)].map((id): BatchResult => {
    try {
      deps.db.transaction((tx) => deleteOne(tx, deps, scope, changeableAccount(tx, scope, id), meta), { behavior: "immediate" });
      return { id, status: "deleted" };
    } catch (e) {
      if (e instanceof AppError) return { id, status: "error", code: e.code };
      throw e;
    }
  });
}
