import type { Child } from "hono/jsx";
import type { ErrorCode } from "../../server/errors.js";
import type { AdminContext } from "./admin-users.js";
import { Alert } from "../components/form.js";
import type { View } from "../view.js";

export interface Picked {
  id: string;
  userId: string;
  displayName: string;
  /** Why the action will leave this one as it is (an i18n key), when that can be told before it runs. */
  skip?: string;
}

/** The checked accounts a batch action is about to act on, by user ID and name, and why any will be left as they are. */
export function PickedList({ v, accounts }: { v?: View; accounts: Picked[] }) {
  return (
    <ul class="picked">
      {accounts.map((a) => (
        <li>
          <span class="mono">{a.userId}</span>
          {a.displayName !== a.userId && <span class="muted"> · {a.displayName}</span>}
          {v && a.skip && <span class="picked-skip"> {v.t(a.skip)}</span>}
        </li>
      ))}
    </ul>
  );
}

/** The one button that posts the checked accounts to `action` (a plain form: no JavaScript needed), and Cancel. */
export function PickedConfirmForm({ v, action, accounts, say, button, fields = {} }: { v: View; action: string; accounts: Picked[]; say: string; button: string; fields?: Record<string, string> }) {
  return (
    <form method="post" action={action} class="stack">
      <p>{say}</p>
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      {accounts.map((a) => (
        <input type="hidden" name="ids" value={a.id} />
      ))}
      <div class="actions">
        <button type="submit" class="btn btn-danger-solid">
          {button}
        </button>
        <a class="btn btn-secondary" href="/admin/users">
          {v.t("admin.users.delete.cancel")}
        </a>
      </div>
    </form>
  );
}

/** Deletion is locked: say so, and where it is unlocked (owners) or who can (admins). */
export function LockedNotice({ v, owner }: { v: View; owner: boolean }) {
  return (
    <div class="alert alert-error" role="alert" tabindex={-1}>
      <p>{v.t("error.deletion_locked")}</p>
      <p>
        {owner ? (
          <>
            {v.t("admin.users.delete.lockedOwner")} <a href="/admin/settings">{v.t("admin.users.delete.toSettings")}</a>
          </>
        ) : (
          v.t("admin.users.delete.lockedAdmin")
        )}
      </p>
    </div>
  );
}

/**
 * The confirmation step of "Delete selected": how many accounts, which ones,
 * and one button that posts them. Nothing to confirm while deletion is locked.
 */
export function BatchConfirmPage({ v, accounts, unknown, ctx, error }: { v: View; accounts: Picked[]; unknown: number; ctx: AdminContext; error?: ErrorCode }) {
  const t = v.t;
  const n = accounts.length;
  return (
    <section class="card confirm" aria-labelledby="confirm-title">
      <h1 id="confirm-title">{t("admin.users.delete.confirmTitle", { count: n })}</h1>
      {ctx.deletionLocked || error === "deletion_locked" ? <LockedNotice v={v} owner={ctx.owner} /> : error && <Alert v={v} kind="error" msg={{ key: `error.${error}` }} />}
      {unknown > 0 && <p class="hint">{t("admin.users.delete.unknown", { count: unknown })}</p>}
      <PickedList accounts={accounts} />
      {!ctx.deletionLocked && n > 0 ? (
        <PickedConfirmForm v={v} action="/admin/users/batch-delete" accounts={accounts} say={t("admin.users.delete.irreversible")} button={t("admin.users.delete.confirmButton", { count: n })} />
      ) : (
        <p>
          <a href="/admin/users">{t("admin.users.delete.back")}</a>
        </p>
      )}
    </section>
  );
}

/** A batch action's result page: its title and summary, each account's outcome, and the way back to the list. */
export function BatchResults({ v, title, summary, rows, children }: { v: View; title: string; summary: Child; rows: { userId: Child; outcome: Child }[]; children?: Child }) {
  const t = v.t;
  return (
    <section class="card" aria-labelledby="result-title">
      <h1 id="result-title">{title}</h1>
      {summary}
      {children}
      <div class="table-wrap" tabindex={0} role="region" aria-label={t("admin.users.delete.resultsTable")}>
        <table class="data-table">
          <thead>
            <tr>
              <th scope="col">{t("form.userId")}</th>
              <th scope="col">{t("admin.users.delete.result")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td class="mono">{r.userId}</td>
                <td>{r.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="actions">
        <a class="btn btn-secondary" href="/admin/users">
          {t("admin.users.delete.back")}
        </a>
      </p>
    </section>
  );
}

/** What happened to each account of a batch deletion. */
export function BatchResultPage({ v, results }: { v: View; results: { id: string; userId: string; status: "deleted" | "error"; code?: ErrorCode }[] }) {
  const t = v.t;
  const deleted = results.filter((r) => r.status === "deleted").length;
  const rows = results.map((r) => ({
    userId: r.userId,
    outcome: r.status === "deleted" ? <span class="status-badge status-active">{t("admin.users.delete.deleted")}</span> : <span class="status-badge status-disabled">{t(`error.${r.code ?? "internal_error"}`)}</span>,
  }));
  const summary = <Alert v={v} kind={deleted === results.length ? "ok" : "info"} msg={{ key: "admin.users.delete.summary", params: { deleted, failed: results.length - deleted } }} />;
  return <BatchResults v={v} title={t("admin.users.delete.doneTitle")} summary={summary} rows={rows} />;
}
