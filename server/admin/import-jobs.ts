import { randomBytes } from "node:crypto";
import { HOUR } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import type { Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { adminScope } from "./access.js";
import { importUsers, type ImportReport, type ImportRowResult } from "./import.js";

/**
 * Import jobs of the admin pages, in memory: a file is checked first (the dry
 * run), then its valid rows are imported in the background while the page
 * polls the progress. A job lives in this process only — a restart forgets
 * it, which is harmless: each created row is its own committed transaction,
 * and the audit log records every one.
 */
export interface ImportJob {
  id: string;
  actorId: string;
  filename: string;
  /** Read as CSV: its rows are shown as a spreadsheet numbers them (`sheetRows`, the header is row 1). */
  csv: boolean;
  /** The spreadsheet row of each data row (row n at index n − 1), for CSV. */
  sheetRows: number[] | null;
  state: "checked" | "running" | "done" | "failed";
  /** The dry run over the whole file. */
  check: ImportReport;
  /** Rows the real run imports (those the check found valid), and how many are done. */
  total: number;
  done: number;
  /** The real run's report, rows numbered as in the file. */
  report: ImportReport | null;
  createdAt: number;
  finishedAt: number | null;
  /** Setup links already handed out in a results download: each is given once, like the create dialog's. */
  linksTaken: number;
}

interface Entry extends ImportJob {
  /** The valid rows and their numbers in the file; dropped once the run starts (they may hold passwords). */
  pending: { rows: Record<string, unknown>[]; numbers: number[] } | null;
}

/** Finished jobs, and checked ones never started, are dropped after this long. */
export const IMPORT_JOB_TTL = HOUR;

/** Finished jobs kept per admin (the newest). */
export const FINISHED_KEPT = 3;

const jobs = new Map<string, Entry>();

function sweep(now: number): void {
  for (const [id, j] of jobs) {
    const since = j.finishedAt ?? (j.state === "checked" ? j.createdAt : null);
    if (since !== null && now - since >= IMPORT_JOB_TTL) jobs.delete(id);
  }
}

const view = (e: Entry): ImportJob => {
  const { pending: _pending, ...job } = e;
  return { ...job };
};

/** Checks a parsed file (the dry run) and keeps its valid rows for `startImport`. */
export async function checkImport(deps: Deps, actor: Account, rows: Record<string, unknown>[], o: { filename: string; csv?: boolean; sheetRows?: number[] | null; meta: RequestMeta }): Promise<ImportJob> {
  adminScope(actor);
  const now = deps.clock.now().getTime();
  sweep(now);
  // One unstarted check per admin: a new upload replaces the last one.
  for (const [id, j] of jobs) if (j.actorId === actor.id && j.state === "checked") jobs.delete(id);
  // A finished job waits up to an hour for its results download, but only the admin's last few:
  // each holds its whole check (some 8 MB for 50,000 rows with problems), and run again and
  // again they would grow the server without bound.
  const finished = [...jobs.values()].filter((j) => j.actorId === actor.id && j.finishedAt !== null).sort((a, b) => b.createdAt - a.createdAt);
  for (const j of finished.slice(FINISHED_KEPT)) jobs.delete(j.id);
  const check = await importUsers(deps, actor, rows, { dryRun: true, meta: o.meta });
  const numbers = check.results.filter((r) => r.status === "valid").map((r) => r.row);
  const entry: Entry = {
    id: randomBytes(16).toString("base64url"),
    actorId: actor.id,
    filename: o.filename.slice(0, 200),
    csv: o.csv ?? true,
    sheetRows: o.sheetRows ?? null,
    state: "checked",
    check,
    total: numbers.length,
    done: 0,
    report: null,
    createdAt: now,
    finishedAt: null,
    linksTaken: 0,
    pending: { rows: numbers.map((n) => rows[n - 1] ?? {}), numbers },
  };
  jobs.set(entry.id, entry);
  return view(entry);
}

function entryFor(deps: Pick<Deps, "clock">, actor: Account, id: string): Entry {
  adminScope(actor);
  sweep(deps.clock.now().getTime());
  const e = jobs.get(id);
  // Another admin's job does not exist, as far as this admin can tell.
  if (!e || e.actorId !== actor.id) throw new AppError("not_found");
  return e;
}

/** The job, for the admin who started it only. */
export const getImportJob = (deps: Pick<Deps, "clock">, actor: Account, id: string): ImportJob => view(entryFor(deps, actor, id));

/**
 * Starts the real import of a checked job in the background and returns at
 * once. Starting a job that already runs (a double click) changes nothing.
 */
export function startImport(deps: Deps, actor: Account, id: string, meta: RequestMeta): ImportJob {
  const e = entryFor(deps, actor, id);
  if (e.state !== "checked" || !e.pending) return view(e);
  const { rows, numbers } = e.pending;
  e.pending = null;
  e.state = "running";
  void importUsers(deps, actor, rows, { dryRun: false, meta, onProgress: (done) => (e.done = done) })
    .then((report) => {
      const renumber = (r: ImportRowResult): ImportRowResult => ({ ...r, row: numbers[r.row - 1] ?? r.row });
      e.report = { ...report, results: report.results.map(renumber) };
      e.done = e.total;
      e.state = "done";
    })
    .catch((err: unknown) => {
      deps.log.error({ err, job: e.id }, "import job failed");
      e.state = "failed";
    })
    .finally(() => (e.finishedAt = deps.clock.now().getTime()));
  return view(e);
}

/**
 * The results for a download: every row, with the setup links not yet handed
 * out, which are then dropped from the job. A one-time link is shown once
 * (SPEC §3); a later download says the link went in an earlier one.
 */
export function takeImportResults(deps: Pick<Deps, "clock">, actor: Account, id: string): ImportRowResult[] {
  const e = entryFor(deps, actor, id);
  const rows = jobResults(e);
  if (e.report) {
    const handed = e.report.results.filter((r) => r.setupUrl).length;
    e.report = { ...e.report, results: e.report.results.map(({ setupUrl: _link, ...r }) => r) };
    e.linksTaken += handed;
  }
  return rows;
}

/** Every row of the file once: the real run's result, or the check's error for a row that was not imported. */
export function jobResults(job: ImportJob): ImportRowResult[] {
  const ran = new Map((job.report?.results ?? []).map((r) => [r.row, r]));
  return job.check.results.map((r) => ran.get(r.row) ?? r).sort((a, b) => a.row - b.row);
}

/** The row number an admin looks for: a CSV's spreadsheet row, a JSON file's item. */
export const shownRow = (job: Pick<ImportJob, "csv" | "sheetRows">, row: number): number => (job.csv ? (job.sheetRows?.[row - 1] ?? row + 1) : row);
