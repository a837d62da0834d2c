import { t } from "../../i18n/index.js";
import { Hono } from "hono";
import { stringify } from "csv-stringify/sync";
import { neutralizeCell } from "../../admin/export.js";
import { decodeImport, isJsonImport, parseImport, spreadsheetRows } from "../../admin/import.js";
import { checkImport, getImportJob, shownRow, startImport, takeImportResults } from "../../admin/import-jobs.js";
import { AppError } from "../../errors.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { ImportJobPage, importColumns, ImportUploadPage } from "../../../views/pages/admin-import.js";
import { ImportProgress } from "../../../views/partials/admin-import-report.js";
import { formState, type FormState } from "../../../views/view.js";
import { adminPage, pageAdmin } from "./admin-users-shared.js";
import { attempt, failedForm, go, parsedForm } from "./render.js";
import { download } from "../download.js";

function uploadPage(c: Ctx, user: PageUser, state: FormState = formState(), status?: number) {
  return adminPage(c, user, { current: "/admin/import", title: "admin.import.title", status, here: "/admin/import", body: (v) => <ImportUploadPage v={v} state={state} /> });
}

/** A CSV download with a BOM, so Excel reads the UTF-8 (Japanese names) right. */
function csvFile(c: Ctx, filename: string, rows: unknown[][]) {
  return download(c, { body: `\uFEFF${stringify(rows)}`, contentType: "text/csv; charset=utf-8", filename });
}

const cell = (x: unknown) => (typeof x === "string" ? neutralizeCell(x) : x === undefined || x === null ? "" : String(x));

const template = [
  [...importColumns],
  ["taro.yamada", "taro@example.com", "general", "山田 太郎", "", "Sales/Tokyo", "male", "1990-04-01", "Tokyo", "", "ja", "need_confirm", "", "", "", ""],
  ["hanako.sato", "", "general", "Hanako Sato", "", "Support", "female", "", "Osaka", "", "en", "allow_any", "", "", "", ""],
];

/** /admin/import: check a CSV or JSON file, import its valid rows in the background, download the results. */
export const adminImportPages = new Hono<AppEnv>()
  .get("/admin/import", (c) => uploadPage(c, pageAdmin(c)))
  .get("/admin/users/import", (c) => {
    pageAdmin(c);
    return go(c, "/admin/import");
  })
  .post("/admin/users/import", async (c) => {
    const user = pageAdmin(c);
    const body = await parsedForm(c, false, { files: true });
    const file = body.file;
    if (!(file instanceof File) || file.size === 0) {
      return uploadPage(c, user, failedForm(c, new AppError("validation_failed", { file: "admin.import.noFile" }), {}), 400);
    }
    const type = file.type || (/\.json$/i.test(file.name) ? "application/json" : "text/csv");
    const bytes = new Uint8Array(await file.arrayBuffer());
    const read = await attempt(c, () => decodeImport(bytes, type));
    const text = read.ok ? read.value : "";
    const parsed = read.ok ? await attempt(c, () => parseImport(text, type)) : read;
    if (!parsed.ok) {
      const state = failedForm(c, parsed.err, {});
      // The parser's reason (bad CSV, not a list…) is about the file.
      if (state.errors.body) state.errors = { file: state.errors.body };
      return uploadPage(c, user, state, parsed.err.status);
    }
    const job = await checkImport(c.get("deps"), user.account, parsed.value, { filename: file.name, csv: !isJsonImport(text, type), sheetRows: spreadsheetRows(parsed.value), meta: c.get("meta") });
    return go(c, `/admin/import/${job.id}`);
  })
  .get("/admin/import/template.csv", (c) => {
    pageAdmin(c);
    return csvFile(c, "roster-import-template.csv", template);
  })
  .get("/admin/import/:id", (c) => {
    const user = pageAdmin(c);
    const job = getImportJob(c.get("deps"), user.account, c.req.param("id"));
    return adminPage(c, user, { current: "/admin/import", title: "admin.import.title", body: (v) => <ImportJobPage v={v} job={job} /> });
  })
  .post("/admin/import/:id/run", (c) => {
    const user = pageAdmin(c);
    const job = startImport(c.get("deps"), user.account, c.req.param("id"), c.get("meta"));
    return go(c, `/admin/import/${job.id}`);
  })
  .get("/admin/import/:id/progress", (c) => {
    const user = pageAdmin(c);
    const job = getImportJob(c.get("deps"), user.account, c.req.param("id"));
    return adminPage(c, user, { current: "/admin/import", title: "admin.import.title", body: (v) => <ImportProgress v={v} job={job} /> });
  })
  .get("/admin/import/:id/results.csv", (c) => {
    const user = pageAdmin(c);
    const job = getImportJob(c.get("deps"), user.account, c.req.param("id"));
    const header = ["row", "userId", "status", "code", "errors", "outcome", "setupUrl"];
    // A HEAD (a prefetch, a link checker) has no body to carry the links: it takes none.
    const results = c.req.method === "HEAD" ? [] : takeImportResults(c.get("deps"), user.account, job.id);
    // Rows numbered as on the report page: a CSV file's as a spreadsheet numbers them (the header is row 1).
    const rows = results.map((r) => [shownRow(job, r.row), r.userId, r.status, r.code, Object.entries(r.errors ?? {}).map(([f, m]) => `${f}: ${t(c.get("lang"), m)}`).join("; "), r.outcome, r.setupUrl].map(cell));
    return csvFile(c, `roster-import-${job.id.slice(0, 8)}.csv`, [header, ...rows]);
  });
