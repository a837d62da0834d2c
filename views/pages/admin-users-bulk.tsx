import type { BulkAction, BulkResult } from "../../server/admin/user-bulk.js";
import { Alert } from "../components/form.js";
import type { View } from "../view.js";
import { BatchResults, PickedConfirmForm, PickedList, type Picked } from "./admin-users-delete.js";

const accountHref = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

/**
 * The confirmation step of a bulk Disable…, Enable… or Send a new setup link…:
 * which accounts, what will happen, and one button that posts them (a plain
 * form: no JavaScript needed). Each undoes nothing the admin can take back
 * quietly (sessions end, people get in again, mail goes out), so nothing
 * happens before this is confirmed.
 */
export function BulkConfirmPage({ v, action, accounts, unknown }: { v: View; action: BulkAction; accounts: Picked[]; unknown: number }) {
  const t = v.t;
  const n = accounts.length;
  // The button counts what will change; the list says why the others will not (each is decided again when it runs).
  const changing = accounts.filter((a) => !a.skip).length;
  return (
    <section class="card confirm" aria-labelledby="confirm-title">
      <h1 id="confirm-title">{t(`admin.users.bulk.confirmTitle.${action}`, { count: n })}</h1>
      {unknown > 0 && <p class="hint">{t("admin.users.delete.unknown", { count: unknown })}</p>}
      {changing < n && <p class="hint">{t("admin.users.bulk.leftAsTheyAre", { count: n - changing })}</p>}
      <PickedList v={v} accounts={accounts} />
      {changing > 0 ? (
        <PickedConfirmForm v={v} action="/admin/users/batch-status" accounts={accounts} say={t(`admin.users.bulk.confirmHint.${action}`)} button={t(`admin.users.bulk.confirmButton.${action}`, { count: changing })} fields={{ action }} />
      ) : (
        // Nothing would change: no button that does nothing.
        <div class="actions">
          <a class="btn btn-secondary" href="/admin/users">
            {t("admin.users.delete.cancel")}
          </a>
        </div>
      )}
    </section>
  );
}

function Outcome({ v, action, r }: { v: View; action: BulkAction; r: BulkResult }) {
  const t = v.t;
  if (r.ok) return <span class="status-badge status-active">{t(r.message ?? `admin.users.bulk.done.${action}`)}</span>;
  const reason = <span class="status-badge status-disabled">{t(r.message ?? `error.${r.code ?? "internal_error"}`)}</span>;
  if (r.message !== "admin.users.bulk.why.noEmail") return reason;
  return (
    <>
      {reason}{" "}
      <a href={accountHref(r.id)}>{t("admin.create.open")}</a>
    </>
  );
}

/** What happened to each account of a bulk disable, enable or new setup link: done, or why not. */
export function BulkResultPage({ v, action, results, unknown }: { v: View; action: BulkAction; results: BulkResult[]; unknown: number }) {
  const t = v.t;
  const done = results.filter((r) => r.ok).length;
  const rows = results.map((r) => ({ userId: <a href={accountHref(r.id)}>{r.userId}</a>, outcome: <Outcome v={v} action={action} r={r} /> }));
  const summary = <Alert v={v} kind={done === results.length ? "ok" : "info"} msg={{ key: "admin.users.bulk.summary", params: { done, failed: results.length - done } }} />;
  return (
    <BatchResults v={v} title={t(`admin.users.bulk.doneTitle.${action}`)} summary={summary} rows={rows}>
      {unknown > 0 && <p class="hint">{t("admin.users.delete.unknown", { count: unknown })}</p>}
    </BatchResults>
  );
}
