import type { ChainResult } from "../../server/admin/audit.js";
import type { listAudit } from "../../server/admin/audit-query.js";
import { Field, FormMessages } from "../components/form.js";
import { AdminHeading, Pager } from "../partials/admin-org-parts.js";
import { Time } from "../partials/sessions-section.js";
import type { FormState, View } from "../view.js";
import { ExportLinks } from "../components/export-links.js";

export type AuditRow = ReturnType<typeof listAudit>["items"][number];
export const auditFilters = ["action", "who", "ip", "from", "to"] as const;

const reasons: Record<string, string> = {
  "an entry before it was removed or changed": "admin.audit.reason.removed",
  "the entry was changed": "admin.audit.reason.changed",
};

/** Whether the hash chain holds: every entry carries the hash of the one before (SPEC §6). */
export function ChainBanner({ v, chain }: { v: View; chain: ChainResult & { checkedAt?: string } }) {
  const t = v.t;
  if (chain.ok) {
    return (
      <div class="alert alert-ok ao-chain" role="status">
        <p>
          <strong>{t("admin.audit.chainOk", { count: chain.entries })}</strong> {t("admin.audit.chainOkHelp")}
        </p>
        {/* Kept for a minute: entries written since are not in the count yet. */}
        {chain.checkedAt && (
          <p class="muted">
            {t("admin.audit.checkedAt")} <Time iso={chain.checkedAt} lang={v.lang} />
          </p>
        )}
      </div>
    );
  }
  const reason = reasons[chain.reason];
  return (
    <div class="alert alert-error ao-chain" role="alert">
      <p>{t("admin.audit.chainBroken", { seq: chain.brokenAt })}</p>
      <p>{reason ? t(reason) : chain.reason}</p>
      <p>{t("admin.audit.chainBrokenHelp", { count: chain.entries })}</p>
    </div>
  );
}

function FilterForm({ v, state }: { v: View; state: FormState }) {
  const t = v.t;
  return (
    <form method="get" action="/admin/audit" class="card ao-filters" aria-label={t("admin.audit.filters")}>
      <FormMessages v={v} state={state} fields={{ action: t("admin.audit.action"), who: t("admin.audit.who"), ip: t("admin.audit.ip"), from: t("admin.audit.from"), to: t("admin.audit.to") }} />
      <div class="ao-filter-grid">
        <Field v={v} state={state} name="action" label={t("admin.audit.action")} hint={t("admin.audit.actionHint")} maxlength={100} />
        <Field v={v} state={state} name="who" label={t("admin.audit.who")} hint={t("admin.audit.whoHint")} maxlength={200} />
        <Field v={v} state={state} name="ip" label={t("admin.audit.ip")} maxlength={64} />
        <Field v={v} state={state} name="from" type="date" label={t("admin.audit.from")} />
        <Field v={v} state={state} name="to" type="date" label={t("admin.audit.to")} />
      </div>
      <div class="actions">
        <button type="submit" class="btn btn-primary">
          {t("admin.audit.apply")}
        </button>
        <a href="/admin/audit">{t("admin.audit.clear")}</a>
      </div>
    </form>
  );
}

/** The action's label in the page's language, or undefined for a code without one (an older or newer version's). */
export function auditActionLabel(t: View["t"], action: string): string | undefined {
  const key = `audit.action.${action}`;
  const label = t(key);
  // t answers an unknown key with the key itself: that is "no label", never text to show.
  return label === key ? undefined : label;
}

/** The label, with the code after it: the filter takes codes, so admins must still see them. */
export function AuditAction({ v, action }: { v: View; action: string }) {
  const label = auditActionLabel(v.t, action);
  if (label === undefined) return <code class="audit-code">{action}</code>;
  return (
    <>
      <span class="audit-label">{label}</span> <code class="audit-code muted">{action}</code>
    </>
  );
}

/** The API key an entry's action came through (its name), if any: the actor is the key's creator. */
const viaKey = (detail: unknown): string | undefined => {
  const key = (detail as { apiKey?: { name?: unknown } } | null)?.apiKey;
  return typeof key?.name === "string" ? key.name : undefined;
};

/** The entry's detail as one line of JSON, or a dash when there is none. */
const compact = (detail: unknown): string => {
  const s = JSON.stringify(detail ?? {});
  return s === "{}" ? "—" : s;
};

/** One line of the detail, cut with an ellipsis so rows stay short; a click (or Enter) opens the whole of it. */
function Detail({ json }: { json: string }) {
  if (json === "—") return <span class="muted">—</span>;
  return (
    <details class="ao-detail">
      <summary>
        <code>{json}</code>
      </summary>
    </details>
  );
}

function AuditTable({ v, rows, total }: { v: View; rows: AuditRow[]; total: number }) {
  const t = v.t;
  if (rows.length === 0) return <p class="muted ao-empty">{t("admin.audit.none")}</p>;
  return (
    <div class="ao-table-wrap">
      <table class="data-table ao-table ao-audit">
        <caption class="ao-caption">{t("admin.audit.count", { count: total })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("admin.audit.time")}</th>
            <th scope="col">{t("admin.audit.actor")}</th>
            <th scope="col">{t("admin.audit.action")}</th>
            <th scope="col">{t("admin.audit.target")}</th>
            <th scope="col">{t("admin.audit.ip")}</th>
            <th scope="col">{t("admin.audit.detail")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr id={`audit-${r.seq}`}>
              <td class="ao-nowrap">
                <span class="muted">#{r.seq}</span> <Time iso={r.at} lang={v.lang} />
              </td>
              <td>
                {r.actor ? r.actor.label || r.actor.id : <span class="muted">{t("admin.audit.system")}</span>}
                {/* No space before it: the Japanese opens with a full-width parenthesis, the English's gap is the class's. */}
                {viaKey(r.detail) !== undefined && <span class="muted small via-key">{t("admin.audit.viaKey", { name: viaKey(r.detail) ?? "" })}</span>}
              </td>
              <td class="ao-action">
                <AuditAction v={v} action={r.action} />
              </td>
              <td>{r.target ? r.target.label || r.target.id : "—"}</td>
              <td class="mono">{r.ip || "—"}</td>
              <td>
                <Detail json={compact(r.detail)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The filters as applied, for the export links (GET /api/v1/admin/audit/export). */
function appliedFilters(filters: FormState): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of auditFilters) if (filters.values[k]) q.set(k, filters.values[k]);
  return q;
}

/** The audit log: chain status, filters, the entries newest first with cursor pagination. */
export function AdminAuditPage(p: { v: View; chain: ChainResult; filters: FormState; rows: AuditRow[]; total: number; first?: string; next?: string }) {
  const { v } = p;
  const valid = Object.keys(p.filters.errors).length === 0;
  return (
    <>
      <AdminHeading v={v} title="admin.audit.title" intro="admin.audit.intro" />
      <ChainBanner v={v} chain={p.chain} />
      <FilterForm v={v} state={p.filters} />
      <section class="card" aria-labelledby="audit-entries-title">
        <h2 id="audit-entries-title">{v.t("admin.audit.entries")}</h2>
        {valid && p.total > 0 && <ExportLinks label={v.t("admin.audit.export")} base="/api/v1/admin/audit/export" params={appliedFilters(p.filters)} />}
        <AuditTable v={v} rows={p.rows} total={p.total} />
        <Pager v={v} first={p.first} next={p.next} />
      </section>
    </>
  );
}
