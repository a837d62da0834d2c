import type { listMail } from "../../server/mail/admin.js";
import { mailStatuses } from "../../server/db/schema.js";
import { fmt } from "./admin-users-table.js";
import { Time } from "./sessions-section.js";
import type { View } from "../view.js";

export type MailItem = ReturnType<typeof listMail>["items"][number];

/** The queue's filters as the query string carries them ("" is no filter). */
export interface MailQuery {
  status: string;
  to: string;
}

export interface MailPage {
  items: MailItem[];
  nextCursor: string | null;
  total: number;
  /** How many rows come before this page. */
  from: number;
}

/** A canonical URL of the queue: empty filters left out. */
export function mailHref(q: MailQuery, extra: Record<string, string> = {}, path = "/admin/mail"): string {
  const p = new URLSearchParams();
  if (q.status) p.set("status", q.status);
  if (q.to) p.set("to", q.to);
  for (const [k, val] of Object.entries(extra)) p.set(k, val);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
}

export const mailPath = (id: string) => `/admin/mail/${encodeURIComponent(id)}`;

/** The message's state; one "sent" by the capture transport went nowhere, and says so. */
export const MailState = ({ v, status, transport }: { v: View; status: string; transport?: string | null }) => {
  const shown = status === "sent" && transport === "capture" ? "captured" : status;
  return <span class={`ao-state mail-state-${shown}`}>{v.t(`admin.mail.status.${shown}`)}</span>;
};

/** A known kind in words; one we do not know (a newer server's) as it is stored. */
export function kindLabel(v: View, kind: string): string {
  const key = `admin.mail.kind.${kind}`;
  const label = v.t(key);
  return label === key ? kind : label;
}

/** What the mail server said last: its reply once sent, otherwise the error. */
export const lastAnswer = (m: Pick<MailItem, "status" | "lastError" | "lastResponse">): string | null => (m.status === "sent" ? m.lastResponse : (m.lastError ?? m.lastResponse));

export const canRetry = (status: string) => status === "deferred" || status === "failed";

const short = (s: string, max = 60) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** One message; with htmx, "Retry now" swaps this row for its new state. */
export function MailRow({ v, m }: { v: View; m: MailItem }) {
  const t = v.t;
  // Captured mail met no mail server: there is no answer to show.
  const answer = m.transport === "capture" ? null : lastAnswer(m);
  const rowId = `mail-${m.id}`;
  return (
    <tr id={rowId}>
      <td class="ao-nowrap col-date">
        <Time iso={m.createdAt} lang={v.lang} />
      </td>
      {/* A long address wraps within a narrow column (all of it shown), so the last answer and Retry stay in sight on a laptop. */}
      <td class="mail-to">{m.to}</td>
      <td class="mail-subject">
        <a href={mailPath(m.id)}>{m.subject || t("admin.mail.noSubject")}</a>
      </td>
      <td class="mail-kind">{kindLabel(v, m.kind)}</td>
      <td>
        <MailState v={v} status={m.status} transport={m.transport} />
      </td>
      <td class="num">{String(m.attempts)}</td>
      <td class="mail-answer">{answer ? <span title={answer}>{short(answer)}</span> : <span class="muted">—</span>}</td>
      <td class="ao-nowrap col-date">{m.nextAttemptAt ? <Time iso={m.nextAttemptAt} lang={v.lang} /> : <span class="muted">—</span>}</td>
      <td class="mail-actions">
        {canRetry(m.status) && (
          <form method="post" action={`${mailPath(m.id)}/retry`} hx-post={`${mailPath(m.id)}/retry`} hx-target={`#${rowId}`} hx-swap="outerHTML" hx-disabled-elt="find button" class="inline">
            {/* The row comes back without the button: focus goes on to its subject (app.js). */}
            <button type="submit" class="btn btn-secondary" aria-label={t("admin.mail.retryLabel", { to: m.to })} data-focus-next=".mail-subject a">
              {t("admin.mail.retry")}
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}

const COLUMNS = 9;

/** This page's rows and, when there are more, the row whose button loads the next page in place. */
export function MailRows({ v, q, page }: { v: View; q: MailQuery; page: MailPage }) {
  const shown = page.from + page.items.length;
  const next = page.nextCursor ? { cursor: page.nextCursor, from: String(shown) } : null;
  return (
    <>
      {page.items.map((m) => (
        <MailRow v={v} m={m} />
      ))}
      {next && (
        <tr id="mail-more" class="more-row">
          <td colspan={COLUMNS}>
            {/* Without JavaScript the link opens the next page; htmx appends its rows here instead. */}
            <a class="btn btn-quiet" href={mailHref(q, next)} hx-get={mailHref(q, next, "/admin/mail/rows")} hx-target="#mail-more" hx-swap="outerHTML" data-focus-next=".mail-subject a">
              {v.t("admin.mail.loadMore", { shown: fmt(v, shown), total: fmt(v, page.total) })}
            </a>
          </td>
        </tr>
      )}
    </>
  );
}

/**
 * The filters' answer: the count and the table. htmx swaps it for every
 * filter change, and it reloads itself after a test mail (`mail-changed`).
 */
export function MailResults({ v, q, page }: { v: View; q: MailQuery; page: MailPage }) {
  const t = v.t;
  return (
    <div id="mail-results" class="mail-results" hx-get={mailHref(q)} hx-trigger="mail-changed from:body" hx-target="this" hx-swap="outerHTML" hx-push-url="false">
      <p class="results-count" data-status="">
        {page.total === 0 ? t("admin.mail.none") : t("admin.mail.count", { total: fmt(v, page.total) })}
      </p>
      {page.items.length > 0 && (
        <div class="ao-table-wrap" tabindex={0} role="region" aria-label={t("admin.mail.tableLabel")}>
          <table class="data-table ao-table mail-table">
            <thead>
              <tr>
                <th scope="col">{t("admin.mail.col.time")}</th>
                <th scope="col">{t("admin.mail.col.to")}</th>
                <th scope="col">{t("admin.mail.col.subject")}</th>
                <th scope="col">{t("admin.mail.col.kind")}</th>
                <th scope="col">{t("admin.mail.col.status")}</th>
                <th scope="col" class="num">
                  {t("admin.mail.col.attempts")}
                </th>
                <th scope="col">{t("admin.mail.col.last")}</th>
                <th scope="col">{t("admin.mail.col.next")}</th>
                <th scope="col">
                  <span class="vh">{t("admin.mail.col.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <MailRows v={v} q={q} page={page} />
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/**
 * Filter as you type: each control asks for the results (300 ms after the
 * last keystroke) and the answer's URL goes into the history. Without
 * JavaScript the form is a plain GET of the page.
 */
export function MailFilters({ v, q, capture = false }: { v: View; q: MailQuery; capture?: boolean }) {
  const t = v.t;
  return (
    <form id="mail-filters" class="mail-filters" method="get" action="/admin/mail" role="search" aria-label={t("admin.mail.filters")} hx-get="/admin/mail" hx-target="#mail-results" hx-swap="outerHTML" hx-push-url="true" hx-indicator="#mail-results" hx-sync="closest form:replace">
      <div class="field">
        <label for="mail-f-status">{t("admin.mail.filter.status")}</label>
        <select id="mail-f-status" name="status" hx-get="/admin/mail" hx-include="closest form">
          <option value="">{t("admin.mail.filter.any")}</option>
          {mailStatuses.map((s) => (
            <option value={s} selected={s === q.status}>
              {/* Captured mail (nothing leaves the server) is what "sent" holds: named as its rows name it. */}
              {t(`admin.mail.status.${s === "sent" && capture ? "captured" : s}`)}
            </option>
          ))}
        </select>
      </div>
      <div class="field mail-f-to">
        <label for="mail-f-to">{t("admin.mail.filter.to")}</label>
        <input id="mail-f-to" type="search" name="to" value={q.to} maxlength={254} autocomplete="off" placeholder={t("admin.mail.filter.toPlaceholder")} hx-get="/admin/mail" hx-trigger="input changed delay:300ms, search" hx-include="closest form" />
      </div>
      <div class="filters-submit">
        <button type="submit" class="btn btn-secondary">
          {t("admin.mail.filter.submit")}
        </button>
      </div>
    </form>
  );
}
