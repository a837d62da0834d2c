import type { PresentedAccount } from "../../server/accounts/present.js";
import type { View } from "../view.js";
import { ExportLinks } from "../components/export-links.js";

/** The users table's filters and order, as the query string carries them. */
export interface UsersQuery {
  q: string;
  type: string;
  status: string;
  group: string;
  organizationId: string;
  sort: string;
  order: "asc" | "desc";
}

export interface UsersPage {
  items: PresentedAccount[];
  nextCursor: string | null;
  total: number;
  /** How many rows come before this page (for "51–100 of 1,234"). */
  from: number;
}

const filterKeys = ["q", "type", "status", "group", "organizationId"] as const;

/** The filters alone, as export and search parameters (empty ones left out). */
export function filterParams(q: UsersQuery): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of filterKeys) if (q[k]) p.set(k, q[k]);
  return p;
}

/** A canonical URL of the users table: empty filters and the default order left out. */
export function usersHref(q: UsersQuery, extra: Record<string, string> = {}, path = "/admin/users"): string {
  const p = filterParams(q);
  if (q.sort !== "userId" || q.order !== "asc") {
    p.set("sort", q.sort);
    p.set("order", q.order);
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

const columns = [
  { key: "userId", label: "form.userId" },
  { key: "nickname", label: "form.nickname" },
  { key: "email", label: "admin.users.col.email" },
  { key: "type", label: "admin.users.col.type" },
  { key: "status", label: "admin.users.col.status" },
  { key: "groupName", label: "admin.users.col.group" },
  { key: "organization", label: "admin.users.col.organization", ownerOnly: true, unsortable: true },
  { key: "createdAt", label: "admin.users.col.created", newestFirst: true },
  { key: "lastLoginAt", label: "admin.users.col.lastLogin", newestFirst: true },
] as const;

/** Two columns before the sortable ones (checkbox, avatar). */
export const columnCount = (owner: boolean) => 2 + columns.filter((c) => owner || !("ownerOnly" in c)).length;

function SortHeader({ v, q, col }: { v: View; q: UsersQuery; col: (typeof columns)[number] }) {
  if ("unsortable" in col) return <th scope="col">{v.t(col.label)}</th>;
  const active = q.sort === col.key;
  // A click on the sorted column turns the order round; another column starts ascending (dates: newest first).
  const order = active ? (q.order === "asc" ? "desc" : "asc") : "newestFirst" in col ? "desc" : "asc";
  const href = usersHref({ ...q, sort: col.key, order });
  const sorted = active ? (q.order === "asc" ? "ascending" : "descending") : undefined;
  // The header says how the column is sorted (aria-sort); the link says what it does. Its id brings the
  // focus back to it in the new table (htmx and app.js look for the same id after the swap).
  return (
    <th scope="col" aria-sort={sorted}>
      <a id={`sort-${col.key}`} href={href} hx-get={href} hx-target="#users-results" hx-swap="outerHTML" hx-push-url="true" class={active ? "sort active" : "sort"}>
        {v.t(col.label)}
        <span class="sort-mark" aria-hidden="true">{active ? (q.order === "asc" ? "▲" : "▼") : "↕"}</span>
        <span class="vh">{v.t(order === "asc" ? "admin.users.sort.asc" : "admin.users.sort.desc")}</span>
      </a>
    </th>
  );
}

/** A short UTC date for the dense table; the full time is in the tooltip. */
/** The day (UTC from the server; the reader's zone and format once app.js runs), the full time on hover. */
function DateCell({ iso, never }: { iso: string | null; never: string }) {
  if (!iso) return <span class="muted">{never}</span>;
  return (
    <time datetime={iso} data-local="date" title={iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")}>
      {iso.slice(0, 10)}
    </time>
  );
}

/** Initials for an account without an avatar picture, and a stable colour from its id. */
export function initials(a: Pick<PresentedAccount, "displayName">): string {
  const words = a.displayName.split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[1]].map((w) => [...(w ?? "")][0] ?? "") : [...(words[0] ?? "?")].slice(0, 2);
  return letters.join("").toUpperCase();
}
const hue = (id: string) => [...id].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 8, 0);

export function Avatar({ a, size = "sm" }: { a: Pick<PresentedAccount, "id" | "displayName" | "avatarUrl">; size?: "sm" | "lg" }) {
  if (a.avatarUrl) return <img class={`av av-${size}`} src={a.avatarUrl} alt="" loading="lazy" referrerpolicy="no-referrer" width={size === "sm" ? 26 : 64} height={size === "sm" ? 26 : 64} />;
  return (
    <span class={`av av-${size} av-initials av-c${hue(a.id)}`} aria-hidden="true">
      {initials(a)}
    </span>
  );
}

export const StatusBadge = ({ v, status }: { v: View; status: string }) => <span class={`status-badge status-${status}`}>{v.t(`admin.users.status.${status}`)}</span>;
export const TypeLabel = ({ v, type }: { v: View; type: string }) => <span class={`type-label type-${type}`}>{v.t(`account.type.${type}`)}</span>;

function UserRow({ v, a, owner }: { v: View; a: PresentedAccount; owner: boolean }) {
  const href = `/admin/users/${encodeURIComponent(a.id)}`;
  return (
    <tr>
      <td class="col-check">
        <input type="checkbox" name="ids" value={a.id} form="users-bulk" aria-label={v.t("admin.users.select", { userId: a.userId })} />
      </td>
      <td class="col-avatar">
        <Avatar a={a} />
      </td>
      <td class="col-userid">
        <a href={href} class="mono">
          {a.userId}
        </a>
      </td>
      {/* Long text wraps within a narrow column, so the dates stay in sight on a laptop; all of it is shown, never cut to a tooltip. */}
      <td class="col-text col-nickname">{a.nickname}</td>
      <td class="col-text col-email">{a.email ?? <span class="muted">—</span>}</td>
      <td>
        <TypeLabel v={v} type={a.type} />
      </td>
      <td>
        <StatusBadge v={v} status={a.status} />
      </td>
      <td class="col-text col-group">{a.groupName}</td>
      {owner && <td class="col-text col-org">{a.organization?.name ?? <span class="muted">{v.t("account.summary.personal")}</span>}</td>}
      <td class="col-date">
        <DateCell iso={a.createdAt} never="—" />
      </td>
      <td class="col-date">
        <DateCell iso={a.lastLoginAt} never={v.t("admin.users.never")} />
      </td>
    </tr>
  );
}

/**
 * "1–50 of 72": the rows on screen, from `first` to `last`. No live region of its own (it is swapped
 * with the results, and screen readers skip a live region that arrives whole): app.js reads it out
 * through the page's #flash (data-status).
 */
function ResultsCount({ v, first, last, total, oob }: { v: View; first: number; last: number; total: number; oob?: boolean }) {
  return (
    <p id="users-count" class="results-count" data-status="" hx-swap-oob={oob ? "innerHTML" : undefined}>
      {total === 0 ? v.t("admin.users.none") : v.t("admin.users.count", { first: fmt(v, first), last: fmt(v, last), total: fmt(v, total) })}
    </p>
  );
}

/**
 * This page's rows and, when there are more, the row whose button loads the
 * next page in place. `start`: when the rows are appended by that button, the
 * number of the first row on screen, so the count above the table follows
 * (out of band, in a template, as table content cannot hold a paragraph; its
 * text only, so the paragraph stays and app.js reads the new count out).
 */
export function UserRows({ v, q, page, owner, start }: { v: View; q: UsersQuery; page: UsersPage; owner: boolean; start?: number }) {
  const shown = page.from + page.items.length;
  const first = start ?? page.from + 1;
  const next = page.nextCursor ? { cursor: page.nextCursor, from: String(shown), start: String(first) } : null;
  return (
    <>
      {page.items.map((a) => (
        <UserRow v={v} a={a} owner={owner} />
      ))}
      {start !== undefined && (
        <template>
          <ResultsCount v={v} first={first} last={shown} total={page.total} oob />
        </template>
      )}
      {next && (
        <tr id="users-more" class="more-row">
          <td colspan={columnCount(owner)}>
            {/* Without JavaScript the link opens the next page; htmx appends its rows here instead, and app.js takes the focus to the first new row's account. */}
            <a class="btn btn-quiet" href={usersHref(q, next)} hx-get={usersHref(q, next, "/admin/users/rows")} hx-target="#users-more" hx-swap="outerHTML" data-focus-next=".col-userid a">
              {v.t("admin.users.loadMore", { shown: fmt(v, shown), total: fmt(v, page.total) })}
            </a>
          </td>
        </tr>
      )}
    </>
  );
}

export const fmt = (v: View, n: number) => new Intl.NumberFormat(v.lang === "ja" ? "ja-JP" : "en-US").format(n);

/**
 * The search's answer: count, export links, the table. It is the fragment
 * htmx swaps for every search, filter and sort; a created or changed
 * account makes it reload itself (`users-changed`).
 */
export function UsersResults({ v, q, page, owner }: { v: View; q: UsersQuery; page: UsersPage; owner: boolean }) {
  const first = page.items.length ? page.from + 1 : 0;
  return (
    <div id="users-results" class="users-results" hx-get={usersHref(q)} hx-trigger="users-changed from:body" hx-target="this" hx-swap="outerHTML" hx-push-url="false">
      {/* The order travels with the filter form, so typing keeps the sorting. */}
      <input type="hidden" name="sort" value={q.sort} form="users-filters" />
      <input type="hidden" name="order" value={q.order} form="users-filters" />
      <div class="results-bar">
        <ResultsCount v={v} first={first} last={page.from + page.items.length} total={page.total} />
        {/* Nothing to export when nothing matches. */}
        {page.total > 0 && (
          <ExportLinks label={v.t("admin.users.exportAll")} base="/api/v1/admin/users/export" params={filterParams(q)} />
        )}
      </div>
      <div class="table-wrap" tabindex={0} role="region" aria-label={v.t("admin.users.tableLabel")}>
        <table class="users-table">
          <caption class="vh">{v.t("admin.users.tableLabel")}</caption>
          <thead>
            <tr>
              <th scope="col" class="col-check">
                <input type="checkbox" data-select-all="" aria-label={v.t("admin.users.selectAll")} />
              </th>
              <th scope="col" class="col-avatar">
                <span class="vh">{v.t("admin.users.col.avatar")}</span>
              </th>
              {columns
                .filter((c) => owner || !("ownerOnly" in c))
                .map((col) => (
                  <SortHeader v={v} q={q} col={col} />
                ))}
            </tr>
          </thead>
          <tbody id="users-rows">
            <UserRows v={v} q={q} page={page} owner={owner} />
          </tbody>
        </table>
      </div>
    </div>
  );
}
