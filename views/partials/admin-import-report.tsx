import { jobResults, shownRow, type ImportJob } from "../../server/admin/import-jobs.js";
import type { ImportRowResult } from "../../server/admin/import.js";
import { fmt } from "./admin-users-table.js";
import type { View } from "../view.js";

/** Field messages are i18n keys (an unknown key is shown as it is). */
export const localized = (v: View, key: string): string => v.t(key);

/** One line per row that failed: where, who, why (the code and each field's message). */
/**
 * Rows are numbered where the admin will look for them: a CSV's as a
 * spreadsheet shows it (the header is row 1, blank lines count), a JSON
 * file's as its items, from 1.
 */
export function RowErrors({ v, rows, job }: { v: View; rows: ImportRowResult[]; job: Pick<ImportJob, "csv" | "sheetRows"> }) {
  const csv = job.csv;
  const t = v.t;
  const failed = rows.filter((r) => r.status === "error");
  if (failed.length === 0) return null;
  const shown = failed.slice(0, 500);
  return (
    <div class="import-errors">
      <h2>{t("admin.import.errorsTitle", { count: fmt(v, failed.length) })}</h2>
      {failed.length > shown.length && <p class="hint">{t("admin.import.errorsTruncated", { count: fmt(v, shown.length) })}</p>}
      {/* Scrolls sideways on a phone: reachable, and named, for the keyboard. */}
      <div class="table-wrap" tabindex={0} role="region" aria-label={t("admin.import.errorsTable")}>
        <table class="data-table">
          <thead>
            <tr>
              <th scope="col">{t(csv ? "admin.import.row" : "admin.import.item")}</th>
              <th scope="col">{t("form.userId")}</th>
              <th scope="col">{t("admin.import.problem")}</th>
              <th scope="col">{t("admin.import.fields")}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr>
                <td class="num">{String(shownRow(job, r.row))}</td>
                <td class="mono">{r.userId || "—"}</td>
                <td>
                  <span class="code">{r.code}</span> {r.code ? t(`error.${r.code}`) : ""}
                </td>
                <td>
                  {r.errors && (
                    <ul class="field-list">
                      {Object.entries(r.errors).map(([field, message]) => (
                        <li>
                          <span class="mono">{field}</span>: {localized(v, message)}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Counts({ v, items }: { v: View; items: [string, number, string?][] }) {
  return (
    <dl class="stat-row">
      {items.map(([label, n, tone]) => (
        <div class={`stat${tone ? ` stat-${tone}` : ""}`}>
          <dt>{v.t(label)}</dt>
          <dd>{fmt(v, n)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The job's progress while it runs (the fragment polls itself every second)
 * and its summary once it is done (no more polling). No live region: one
 * swapped every second would be skipped, or read out each time; app.js reads
 * the summary's message out once, when it arrives.
 */
export function ImportProgress({ v, job }: { v: View; job: ImportJob }) {
  const t = v.t;
  const base = `/admin/import/${encodeURIComponent(job.id)}`;
  if (job.state === "running" || job.state === "checked") {
    return (
      <div id="import-progress" class="import-progress" hx-get={`${base}/progress`} hx-trigger="every 1s" hx-swap="outerHTML">
        <p>{t("admin.import.running", { done: fmt(v, job.done), total: fmt(v, job.total) })}</p>
        <progress max={Math.max(job.total, 1)} value={job.done}>
          {`${job.done} / ${job.total}`}
        </progress>
        <noscript>
          <p>
            <a href={base}>{t("admin.import.refresh")}</a>
          </p>
        </noscript>
      </div>
    );
  }
  const report = job.report;
  const skipped = job.check.failed;
  return (
    <div id="import-progress" class="import-progress">
      {job.state === "failed" || !report ? (
        <div class="alert alert-error" role="alert" tabindex={-1}>
          <p>{t("admin.import.failed")}</p>
        </div>
      ) : (
        <div class="alert alert-ok">
          <p>{t("admin.import.done", { created: fmt(v, report.created), failed: fmt(v, report.failed + skipped) })}</p>
        </div>
      )}
      <Counts
        v={v}
        items={[
          ["admin.import.count.created", report?.created ?? 0, "ok"],
          ["admin.import.count.failedRun", report?.failed ?? 0, report?.failed ? "bad" : undefined],
          ["admin.import.count.skipped", skipped, skipped ? "bad" : undefined],
        ]}
      />
      <p class="actions">
        <a class="btn btn-primary" href={`${base}/results.csv`} download>
          {t("admin.import.download")}
        </a>
        <a class="btn btn-secondary" href="/admin/users?sort=createdAt&order=desc">
          {t("admin.import.toUsers")}
        </a>
        <a class="btn btn-quiet" href="/admin/import">
          {t("admin.import.another")}
        </a>
      </p>
      <p class="hint">{t(job.linksTaken ? "admin.import.downloadHintTaken" : "admin.import.downloadHint", { n: job.linksTaken })}</p>
      <RowErrors v={v} rows={jobResults(job)} job={job} />
    </div>
  );
}

export { Counts };
