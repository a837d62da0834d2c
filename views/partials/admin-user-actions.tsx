import type { PresentedAccount } from "../../server/accounts/present.js";
import type { AdminContext } from "../pages/admin-users.js";
import { hxForm } from "../components/form.js";
import type { FormState, View } from "../view.js";

export const userActions = ["promote", "demote", "disable", "enable", "end-sessions", "verify-email", "setup-link", "temporary-password", "approve", "decline"] as const;
export type UserAction = (typeof userActions)[number];

function ActionButton({ v, id, action, label, kind = "secondary", hint, confirm }: { v: View; id: string; action: UserAction; label: string; kind?: "secondary" | "danger"; hint?: string; confirm?: string }) {
  return (
    <form {...hxForm(`/admin/users/${encodeURIComponent(id)}/${action}`, "#user-admin")} class="action" hx-confirm={confirm}>
      <button type="submit" class={`btn btn-${kind}`}>
        {v.t(label)}
      </button>
      {hint && <p class="hint">{v.t(hint)}</p>}
    </form>
  );
}

/** Whether an admin may give the account a temporary password (the service decides; for a disabled account, by what it was before). */
const mayTakePassword = (a: PresentedAccount) => a.status !== "pending" && a.status !== "awaiting_approval";

/** The labels of promote and demote name the type the account gets. */
const promoteLabel = { general: "admin.user.action.promoteAdmin", admin: "admin.user.action.promoteOwner" } as const;
const demoteLabel = { admin: "admin.user.action.demoteGeneral", owner: "admin.user.action.demoteAdmin" } as const;

/**
 * The buttons that apply to this account as it is now, each its own form:
 * a plain POST without JavaScript, swapped in place with htmx. The
 * services still decide (last admin, admin limit…); the page only leaves
 * out what cannot apply.
 */
export function UserActions({ v, a, ctx, password }: { v: View; a: PresentedAccount; ctx: AdminContext; password?: FormState }) {
  const t = v.t;
  // A refused temporary password keeps what was typed, with why under it (as any form field does).
  const passwordError = password?.errors.password;
  const self = a.id === ctx.selfId;
  const canPromote = a.type === "general" ? Boolean(a.organization) : a.type === "admin" && ctx.owner;
  const canDemote = a.type === "admin" || (a.type === "owner" && ctx.owner);
  return (
    <section id="user-actions" class="card" aria-labelledby="user-actions-title">
      <h2 id="user-actions-title">{t("admin.user.actions")}</h2>
      <div class="action-list">
        {a.status === "awaiting_approval" && <ActionButton v={v} id={a.id} action="approve" label="admin.user.action.approve" hint="admin.user.action.approveHint" />}
        {canPromote && a.type !== "owner" && (
          <ActionButton v={v} id={a.id} action="promote" label={promoteLabel[a.type as "general" | "admin"]} confirm={a.type === "admin" ? t("admin.user.action.promoteOwnerConfirm", { name: a.displayName }) : undefined} />
        )}
        {canDemote && !self && a.type !== "general" && <ActionButton v={v} id={a.id} action="demote" label={demoteLabel[a.type as "admin" | "owner"]} />}
        {a.status === "disabled" ? (
          <ActionButton v={v} id={a.id} action="enable" label="admin.user.action.enable" />
        ) : (
          !self && a.status !== "awaiting_approval" && <ActionButton v={v} id={a.id} action="disable" label="admin.user.action.disable" kind="danger" hint="admin.user.action.disableHint" confirm={t("admin.user.action.disableConfirm", { name: a.displayName })} />
        )}
        {a.status === "invited" && (
          <ActionButton v={v} id={a.id} action="setup-link" label={a.email ? "admin.user.action.setupMail" : "admin.user.action.setupLink"} hint="admin.user.action.setupLinkHint" />
        )}
        <ActionButton v={v} id={a.id} action="end-sessions" label="admin.user.action.endSessions" />
        {a.email && !a.emailVerifiedAt && <ActionButton v={v} id={a.id} action="verify-email" label="admin.user.action.verifyEmail" />}
      </div>
      {!self && mayTakePassword(a) && (
        <form {...hxForm(`/admin/users/${encodeURIComponent(a.id)}/temporary-password`, "#user-admin")} class="stack compact">
          <label for="f-temporary-password">{t("admin.user.action.temporaryPassword")}</label>
          {/* Shown as typed: the admin reads it out to the person, who must change it at once. */}
          <input
            id="f-temporary-password"
            name="password"
            type="text"
            class="mono"
            autocomplete="off"
            spellcheck={false}
            minlength={8}
            maxlength={128}
            required
            value={password?.values.password ?? ""}
            aria-invalid={passwordError ? "true" : undefined}
            aria-describedby={passwordError ? "f-temporary-password-hint f-temporary-password-error" : "f-temporary-password-hint"}
          />
          <p class="hint" id="f-temporary-password-hint">
            {t("admin.user.action.temporaryPasswordHint")}
          </p>
          {passwordError && (
            <p class="field-error" id="f-temporary-password-error">
              {t(passwordError)}
            </p>
          )}
          <div class="actions">
            <button type="submit" class="btn btn-secondary">
              {t("admin.user.action.temporaryPasswordSet")}
            </button>
          </div>
        </form>
      )}
      {a.status === "awaiting_approval" && (
        <form {...hxForm(`/admin/users/${encodeURIComponent(a.id)}/decline`, "#user-admin")} class="decline stack compact">
          <label for="f-reason">{t("admin.user.action.declineReason")}</label>
          <textarea id="f-reason" name="reason" rows={2} maxlength={1000} aria-describedby="f-reason-hint"></textarea>
          <p class="hint" id="f-reason-hint">
            {t("admin.user.action.declineHint")}
          </p>
          <div class="actions">
            <button type="submit" class="btn btn-danger">
              {t("admin.user.action.decline")}
            </button>
          </div>
        </form>
      )}
      {!self && (
        <div class="danger-zone">
          <a class="btn btn-danger" href={`/admin/users/${encodeURIComponent(a.id)}/delete`}>
            {t("admin.user.action.delete")}
          </a>
          <p class="hint">{ctx.deletionLocked ? t("admin.user.action.deleteLocked") : t("admin.user.action.deleteHint")}</p>
        </div>
      )}
    </section>
  );
}
