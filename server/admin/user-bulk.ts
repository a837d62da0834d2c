import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import type { Account } from "../db/schema.js";
import { AppError, errorCode, storageFailure, type ErrorCode } from "../errors.js";
import { parseInput } from "../accounts/fields.js";
import { adminScope, mayChange, scopedAccount, type AdminScope } from "./access.js";
import { newSetupLink } from "./user-actions.js";
import { batchSchema } from "./user-delete.js";
import { disableUser, enableUser } from "./user-status.js";

export const bulkActions = ["disable", "enable", "setup-link"] as const;
export type BulkAction = (typeof bulkActions)[number];
export const isBulkAction = (x: unknown): x is BulkAction => bulkActions.includes(x as BulkAction);

const actionSchema = z.enum(bulkActions, { message: "field.invalid" });

export interface BulkResult {
  id: string;
  /** The account's user ID; the id as given when the actor cannot see such an account. */
  userId: string;
  ok: boolean;
  /** Why it was refused, when a rule of the single-account service refused it. */
  code?: ErrorCode;
  /** An i18n key saying more than the code: why it was refused, or (ok) that there was nothing to do. */
  message?: string;
}

const run: Record<BulkAction, (deps: Deps, actor: Account, id: string, meta: RequestMeta) => unknown> = {
  disable: disableUser,
  enable: enableUser,
  "setup-link": (deps, actor, id, meta) => newSetupLink(deps, actor, id, meta, { mailOnly: true }),
};

/** Nothing to change: still ok, but the admin is told. */
const already = (action: BulkAction, a: Pick<Account, "status">): boolean => (action === "disable" ? a.status === "disabled" : action === "enable" ? a.status !== "disabled" : false);

/**
 * What the confirmation of a bulk action can already say of one account: an
 * i18n key for why it will be left as it is (one's own account, an owner's,
 * nothing to do, no invitation or no address for a link), or undefined when it
 * will be changed. A preview only: each account is decided again when it runs.
 */
export function bulkPreview(actor: Account, action: BulkAction, a: Pick<Account, "id" | "type" | "status" | "email">): string | undefined {
  const scope = adminScope(actor);
  if (a.id === actor.id && action !== "enable") return "admin.users.bulk.why.self";
  if (!mayChange(scope, a)) return "admin.users.bulk.why.owner";
  if (action !== "setup-link") return already(action, a) ? `admin.users.bulk.already.${action}` : undefined;
  if (a.status === "disabled") return "admin.users.bulk.why.disabled";
  if (a.status !== "invited") return "admin.users.bulk.why.notInvited";
  return a.email ? undefined : "admin.users.bulk.why.noEmail";
}

/** The words for a refusal, where the code alone ("You may not do this.") would leave the admin guessing. */
function why(e: AppError, action: BulkAction, scope: AdminScope, a: Account | undefined): string | undefined {
  if (e.code === "forbidden" && a?.id === scope.actor.id) return "admin.users.bulk.why.self";
  if (e.code === "forbidden" && a && !mayChange(scope, a)) return "admin.users.bulk.why.owner";
  if (action === "setup-link" && e.fields?.status) return a?.status === "disabled" ? "admin.users.bulk.why.disabled" : "admin.users.bulk.why.notInvited";
  const field = e.fields ? Object.values(e.fields)[0] : undefined;
  return field && field !== "field.invalid" ? field : undefined;
}

function one(deps: Deps, scope: AdminScope, action: BulkAction, id: string, meta: RequestMeta): BulkResult {
  let a: Account | undefined;
  try {
    a = scopedAccount(deps.db, scope, id);
    const nothingToDo = already(action, a);
    // The single-account service checks everything again, in its own transaction: what changed since the read above decides.
    run[action](deps, scope.actor, id, meta);
    return { id, userId: a.userId, ok: true, ...(nothingToDo ? { message: `admin.users.bulk.already.${action}` } : {}) };
  } catch (e) {
    const err = e instanceof AppError ? e : storageFailure(e);
    if (!err) throw e;
    if (err.code === "service_unavailable") deps.log.error({ code: errorCode(e), error: (e as Error).message, action }, "the database could not be written: is the data volume full or read-only?");
    const message = why(err, action, scope, a);
    return { id, userId: a?.userId ?? id, ok: false, code: err.code, ...(message ? { message } : {}) };
  }
}

/**
 * Disables, enables or sends a new setup link to each account, each on its own
 * (a refusal — an owner, one's own account, the last admin, not invited — does
 * not stop the others), through the single-account services and their rules
 * and audit entries. An invited account without an address gets no link here:
 * its page makes one to hand over. Ids given twice count once.
 */
export function bulkStatus(deps: Deps, actor: Account, action: unknown, ids: unknown, meta: RequestMeta): BulkResult[] {
  const scope = adminScope(actor);
  const { action: what, ids: list } = parseInput(z.object({ action: actionSchema, ids: batchSchema.shape.ids }), { action, ids });
  return [...new Set(list)].map((id) => one(deps, scope, what, id, meta));
}
