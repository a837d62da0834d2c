import type { ImportJob } from "../../server/admin/import-jobs.js";
import { FormMessages } from "../components/form.js";
import { Counts, ImportProgress, RowErrors } from "../partials/admin-import-report.js";
import { fmt } from "../partials/admin-users-table.js";
import type { FormState, View } from "../view.js";

/** The columns an import file may have, in the order of the template. */
export const importColumns = ["userId", "email", "type", "nickname", "password", "groupName", "gender", "birthDate", "location", "statusMessage", "language", "friendPolicy", "avatarUrl", "level", "role", "friendingForbidden"] as const;

function Columns({ v }: { v: View }) {
  const t = v.t;
  return (
    <section class="card" aria-labelledby="columns-title">
      <h2 id="columns-title">{t("admin.import.columnsTitle")}</h2>
      <p class="hint">{t("admin.import.columnsIntro")}</p>
      <div class="table-wrap" tabindex={0} role="region" aria-label={t("admin.import.columnsTable")}>
        <table class="data-table columns">
          <thead>
            <tr>
              <th scope="col">{t("admin.import.column")}</th>
              <th scope="col">{t("admin.import.meaning")}</th>
            </tr>
          </thead>
          <tbody>
            {importColumns.map((c) => (
              <tr>
                <td class="mono">
                  {c}
                  {c === "userId" && <span class="required-mark">{t("admin.import.required")}</span>}
                </td>
                <td>{t(`admin.import.col.${c}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="actions">
        <a class="btn btn-secondary" href="/admin/import/template.csv" download>
          {t("admin.import.template")}
        </a>
      </p>
    </section>
  );
}

/** Step 1: choose a file. It is checked first; nothing is created until step 2. */
export function ImportUploadPage({ v, state }: { v: View; state: FormState }) {
  const t = v.t;
  const error = state.errors.file;
  return (
    <div class="admin-import">
      <header class="admin-head">
        <h1>{t("admin.import.title")}</h1>
      </header>
      <section class="card" aria-labelledby="upload-title">
        <h2 id="upload-title">{t("admin.import.uploadTitle")}</h2>
        <p class="hint">{t("admin.import.uploadIntro")}</p>
        {/* Posted to /admin/users/import: the one path whose body may be 10 MB. */}
        <form method="post" action="/admin/users/import" enctype="multipart/form-data" class="stack">
          <FormMessages v={v} state={state} fields={{ file: t("admin.import.file") }} />
          <div class={error ? "field invalid" : "field"}>
            <label for="f-file">{t("admin.import.file")}</label>
            <input id="f-file" type="file" name="file" accept=".csv,.json,text/csv,application/json" required aria-describedby={error ? "f-file-hint f-file-error" : "f-file-hint"} aria-invalid={error ? "true" : undefined} />
            <p class="hint" id="f-file-hint">
              {t("admin.import.fileHint")}
            </p>
            {error && (
              <p class="field-error" id="f-file-error">
                {t(error)}
              </p>
            )}
          </div>
          <div class="actions">
            <button type="submit" class="btn btn-primary">
              {t("admin.import.check")}
            </button>
          </div>
        </form>
      </section>
      <Columns v={v} />
    </div>
  );
}

/** Step 2 (the dry run's report and the button that imports), then the progress and the summary. */
export function ImportJobPage({ v, job }: { v: View; job: ImportJob }) {
  const t = v.t;
  const c = job.check;
  return (
    <div class="admin-import">
      <header class="admin-head">
        <h1>{t("admin.import.title")}</h1>
        <p class="muted">{job.filename}</p>
      </header>
      <section class="card" aria-labelledby="check-title">
        <h2 id="check-title">{t("admin.import.checkTitle")}</h2>
        <Counts
          v={v}
          items={[
            ["admin.import.count.rows", c.total],
            ["admin.import.count.valid", c.valid, "ok"],
            ["admin.import.count.invalid", c.failed, c.failed ? "bad" : undefined],
          ]}
        />
        {job.state === "checked" ? (
          c.valid > 0 ? (
            <form method="post" action={`/admin/import/${encodeURIComponent(job.id)}/run`} class="actions">
              <button type="submit" class="btn btn-primary">
                {t("admin.import.run", { count: fmt(v, c.valid) })}
              </button>
              <a class="btn btn-secondary" href="/admin/import">
                {t("admin.import.another")}
              </a>
            </form>
          ) : (
            <p class="actions">
              <span>{c.total === 0 ? t("admin.import.empty") : t("admin.import.nothingValid")}</span>
              <a class="btn btn-secondary" href="/admin/import">
                {t("admin.import.another")}
              </a>
            </p>
          )
        ) : (
          <ImportProgress v={v} job={job} />
        )}
        {job.state === "checked" && <RowErrors v={v} rows={c.results} job={job} />}
      </section>
    </div>
  );
}
