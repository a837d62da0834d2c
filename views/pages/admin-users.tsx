import { accountStatuses, accountTypes } from "../../server/db/schema.js";
import { Alert } from "../components/form.js";
import { UsersResults, type UsersPage, type UsersQuery } from "../partials/admin-users-table.js";
import type { Message, View } from "../view.js";

/** What the users pages need to know about the server and the viewer, beyond the View. */
export interface AdminContext {
  owner: boolean;
  deletionLocked: boolean;
  selfId: string;
}

export interface OrgOption {
  id: string;
  name: string;
}

function FilterSelect({ v, name, label, value, options }: { v: View; name: string; label: string; value: string; options: { value: string; label: string }[] }) {
  return (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name} hx-get="/admin/users" hx-include="closest form">
        <option value="">{v.t("admin.users.filter.any")}</option>
        {options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Search as you type: each control asks for the results fragment (300 ms
 * after the last keystroke), and the answer's URL goes into the history, so
 * reload and back show the same search. A newer request replaces one still
 * running (hx-sync), so a slow answer for "ta" never lands after "tana"'s.
 * Without JavaScript the form is a plain GET of this page.
 */
export function UsersFilters({ v, q, orgs }: { v: View; q: UsersQuery; orgs: OrgOption[] | null }) {
  const t = v.t;
  return (
    <form id="users-filters" class="users-filters" method="get" action="/admin/users" role="search" hx-get="/admin/users" hx-target="#users-results" hx-swap="outerHTML" hx-push-url="true" hx-indicator="#users-results" hx-sync="closest form:replace">
      <div class="field field-q">
        <label for="f-q">{t("admin.users.filter.q")}</label>
        <input id="f-q" type="search" name="q" value={q.q} maxlength={200} autocomplete="off" placeholder={t("admin.users.filter.qPlaceholder")} hx-get="/admin/users" hx-trigger="input changed delay:300ms, search" hx-include="closest form" />
      </div>
      <FilterSelect v={v} name="type" label={t("admin.users.col.type")} value={q.type} options={accountTypes.map((x) => ({ value: x, label: t(`account.type.${x}`) }))} />
      <FilterSelect v={v} name="status" label={t("admin.users.col.status")} value={q.status} options={accountStatuses.map((x) => ({ value: x, label: t(`admin.users.status.${x}`) }))} />
      <div class="field">
        <label for="f-group">{t("admin.users.col.group")}</label>
        <input id="f-group" type="search" name="group" value={q.group} maxlength={1000} autocomplete="off" placeholder={t("admin.users.filter.groupPlaceholder")} hx-get="/admin/users" hx-trigger="input changed delay:300ms, search" hx-include="closest form" />
      </div>
      {orgs && <FilterSelect v={v} name="organizationId" label={t("admin.users.col.organization")} value={q.organizationId} options={orgs.map((o) => ({ value: o.id, label: o.name }))} />}
      <div class="filters-submit">
        <button type="submit" class="btn btn-secondary">
          {t("admin.users.filter.submit")}
        </button>
      </div>
    </form>
  );
}

/** What the checked rows can do: export them; enable them or send them new setup links at once; disable or delete them after a confirmation page. */
/** The bulk form's actions over the checked rows: what it posts, its label, and whether it is drawn as a danger. */
const bulkButtons: [string, string, boolean][] = [
  ["csv", "admin.users.bulk.exportCsv", false],
  ["json", "admin.users.bulk.exportJson", false],
  ["enable", "admin.users.bulk.enable", false],
  ["setup-link", "admin.users.bulk.setupLink", false],
  ["disable", "admin.users.bulk.disable", true],
  ["delete", "admin.users.bulk.delete", true],
];

function BulkBar({ v }: { v: View }) {
  const t = v.t;
  return (
    <form id="users-bulk" class="bulk-bar" method="post" action="/admin/users/bulk">
      <span class="bulk-count js-only" data-bulk-count="" data-template={t("admin.users.bulk.selected", { count: "{count}" })}>
        {t("admin.users.bulk.selected", { count: 0 })}
      </span>
      <span class="bulk-label">{t("admin.users.bulk.label")}</span>
      {bulkButtons.map(([action, label, danger]) => (
        <button type="submit" name="action" value={action} class={danger ? "btn btn-quiet btn-danger-quiet" : "btn btn-quiet"} data-needs-selection="">
          {t(label)}
        </button>
      ))}
    </form>
  );
}

export function AdminUsersPage({ v, q, page, owner, orgs, notice }: { v: View; q: UsersQuery; page: UsersPage; owner: boolean; orgs: OrgOption[] | null; notice?: Message }) {
  const t = v.t;
  return (
    <div class="admin-users">
      <header class="admin-head">
        <h1>{t("admin.users.title")}</h1>
        <div class="admin-head-actions">
          <a class="btn btn-secondary" href="/admin/import">
            {t("admin.users.import")}
          </a>
          <a class="btn btn-primary" href="/admin/users/new" hx-get="/admin/users/new" hx-target="#admin-dialog" hx-swap="innerHTML">
            {t("admin.users.new")}
          </a>
        </div>
      </header>
      {notice && <Alert v={v} kind="ok" msg={notice} />}
      <div id="admin-dialog"></div>
      <UsersFilters v={v} q={q} orgs={orgs} />
      <BulkBar v={v} />
      <UsersResults v={v} q={q} page={page} owner={owner} />
    </div>
  );
}
