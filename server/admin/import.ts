import { parse } from "csv-parse/sync";
import type { Deps, RequestMeta } from "../deps.js";
import type { Account } from "../db/schema.js";
import { AppError, type ErrorCode } from "../errors.js";
import { checkInput, noFutureBirthDate } from "../accounts/fields.js";
import { adminScope, countAdmins, type AdminScope } from "./access.js";
import { assertCreatable, createSchema, hashIfGiven, insertUser, type CreateInput } from "./user-actions.js";
import { organizations } from "../db/schema.js";
import { eq } from "drizzle-orm";
import { passwordProblem } from "../auth/password.js";
import { afterTheseAnswers } from "../http/listener.js";

export interface ImportRowResult {
  /** 1-based, as a spreadsheet numbers data rows (the header is row 0). */
  row: number;
  userId: string;
  status: "valid" | "created" | "error";
  code?: ErrorCode;
  /** Field → message key (server/i18n); each face says it in its reader's language. */
  errors?: Record<string, string>;
  outcome?: string;
  setupUrl?: string;
}

export interface ImportReport {
  dryRun: boolean;
  total: number;
  valid: number;
  created: number;
  failed: number;
  results: ImportRowResult[];
}

const MAX_ROWS = 50_000;
/** Rows written per transaction. */
const CHUNK = 200;

/** Whether a file is read as JSON (its type says so, or it starts as JSON does); otherwise it is CSV. */
export const isJsonImport = (body: string, contentType: string): boolean => /json/i.test(contentType) || /^\uFEFF?\s*[[{]/.test(body);

/**
 * The text of an uploaded file. UTF-8 (with or without a BOM) and UTF-16 with a BOM are read as
 * they say; a charset the upload declares is honoured; a file that is not UTF-8 is read as
 * Shift_JIS (Windows-31J), which is how Excel on Japanese Windows saves "CSV". Bytes that are none
 * of these are refused: read as UTF-8, every Japanese name would have been imported as U+FFFD
 * replacement characters without a word (found by the usability review, stop 14).
 */
export function decodeImport(bytes: Uint8Array, contentType: string): string {
  const strict = (encoding: string) => new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  const tryDecode = (encoding: string): string | null => {
    try {
      return strict(encoding);
    } catch {
      return null;
    }
  };
  // A byte-order mark says what the file is, whatever the upload declares (as WHATWG decoding does).
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return tryDecode("utf-8") ?? refuse();
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return tryDecode("utf-16le") ?? refuse();
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return tryDecode("utf-16be") ?? refuse();
  const declared = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  if (declared && !/^utf-?8$/i.test(declared)) {
    let known = true;
    try {
      new TextDecoder(declared);
    } catch {
      known = false;
    }
    if (known) return tryDecode(declared) ?? refuse();
  }
  const utf8 = tryDecode("utf-8");
  if (utf8 !== null) return utf8;
  const sjis = tryDecode("shift_jis");
  return sjis !== null && !misreadAsJapanese(sjis) ? sjis : refuse();
}

/**
 * Whether Shift_JIS text is what a Western file (Latin-1, Windows-1252) becomes when read as
 * Shift_JIS: its accented letters turn into the user-defined area ("Björn" → "Bj\uE49An") or into
 * kanji or half-width kana between Latin letters ("Hélène" → "H騾鈩e"), which Japanese text
 * does not have. Such a file is refused rather than imported as nonsense.
 */
const misreadAsJapanese = (text: string): boolean => /[\uE000-\uF8FF]|[A-Za-z][\u3400-\u9FFF\uF900-\uFAFF\uFF61-\uFF9F]+[a-z]/.test(text);

function refuse(): never {
  throw new AppError("validation_failed", { body: "import.encoding" });
}

/** Reads CSV (header row; UTF-8, BOM allowed) or JSON (an array of objects, or `{items:[…]}`) into plain rows. */
export function parseImport(body: string, contentType: string): Record<string, unknown>[] {
  const text = body.replace(/^\uFEFF/, "");
  let rows: unknown;
  if (isJsonImport(text, contentType)) {
    try {
      rows = JSON.parse(text);
    } catch {
      throw new AppError("validation_failed", { body: "body.malformed" });
    }
    if (rows && typeof rows === "object" && !Array.isArray(rows)) rows = (rows as { items?: unknown }).items;
    if (!Array.isArray(rows) || rows.some((r) => !r || typeof r !== "object" || Array.isArray(r))) throw new AppError("validation_failed", { body: "import.shape" });
  } else {
    let records: { record: Record<string, unknown>; info: { records: number; empty_lines: number } }[];
    try {
      // Parsing stops one record past the limit: 10 MB of one-letter rows would otherwise be five
      // million records built on the event loop (25 s in which no other request was answered).
      records = parse(text, { columns: csvHeader, delimiter: delimiterOf(text), skip_empty_lines: true, trim: true, relax_column_count: true, info: true, to: MAX_ROWS + 1 });
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError("validation_failed", { body: "import.csv" });
    }
    if (records.length > MAX_ROWS) throw tooManyRows();
    const out = records.map((r) => normalizeRow(r.record));
    // The row a spreadsheet shows each record on: the header is row 1, and blank lines are rows too
    // (a line break inside a quoted cell is not).
    sheetRows.set(out, records.map((r) => 1 + r.info.records + r.info.empty_lines));
    return out;
  }
  const list = rows as Record<string, unknown>[];
  if (list.length > MAX_ROWS) throw tooManyRows();
  return list.map(normalizeRow);
}

/** Tabs when the header row has tabs and no commas: Excel's "Unicode Text", its one UTF-16 export, is tab-separated. */
function delimiterOf(text: string): string {
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  return header.includes("\t") && !header.includes(",") ? "\t" : ",";
}

const tooManyRows = () => new AppError("payload_too_large", { body: "import.tooManyRows" });

/**
 * The header row's column names. Two columns of one name would have the last one's value win
 * without a word; a header that is one name holding semicolons is a file a European Excel saved
 * with ";" between its cells: each gets a message saying so rather than "userId is required" on
 * every row.
 */
function csvHeader(names: string[]): string[] {
  const out = names.map((x) => x.trim());
  const seen = new Set<string>();
  for (const name of out) {
    if (name !== "" && seen.has(name)) throw new AppError("validation_failed", { body: "import.duplicateColumn" }, undefined, `The column "${name.slice(0, 40)}" appears twice in the header row.`);
    seen.add(name);
  }
  if (out.length === 1 && /;/.test(out[0] ?? "")) throw new AppError("validation_failed", { body: "import.semicolons" });
  return out;
}

const sheetRows = new WeakMap<object, number[]>();

/** For rows parsed from CSV, the spreadsheet row of each (row n is at index n − 1); null for JSON. */
export const spreadsheetRows = (rows: Record<string, unknown>[]): number[] | null => sheetRows.get(rows) ?? null;

/** CSV gives every cell as a string: turn the typed ones back, and drop empty cells. */
function normalizeRow(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v === "" || v === null || v === undefined) continue;
    if (typeof v === "string" && (k === "pushOffline" || k === "friendingForbidden")) out[k] = /^(true|1|yes)$/i.test(v.trim());
    // A CSV cell is text: a whole number in it is the number (anything else is refused by the row's checks).
    else if (typeof v === "string" && (k === "level" || k === "role") && /^\s*\d{1,10}\s*$/.test(v)) out[k] = Number(v);
    else if (k === "pushOffline" && typeof v === "boolean") out.messageSettings = { pushOffline: v };
    else out[k] = v;
  }
  if (typeof out.pushOffline === "boolean") out.messageSettings = { pushOffline: out.pushOffline };
  return out;
}

const fail = (row: number, userId: string, e: unknown): ImportRowResult => {
  if (!(e instanceof AppError)) throw e;
  return { row, userId, status: "error", code: e.code, ...(e.fields ? { errors: e.fields } : {}) };
};

/**
 * Creates accounts as the create dialog does, row by row: a row that fails
 * does not stop the others, and each row is its own transaction, so nothing
 * is half-created. The dry run applies every check (including duplicates
 * within the file and the admin limit) and writes nothing. Yields to the
 * event loop between chunks so the server stays responsive.
 */
export async function importUsers(
  deps: Deps,
  actor: Account,
  rows: Record<string, unknown>[],
  o: { dryRun: boolean; meta: RequestMeta; onProgress?: (done: number, total: number) => void },
): Promise<ImportReport> {
  const scope = adminScope(actor);
  const results: ImportRowResult[] = [];
  const seenUserIds = new Set<string>();
  const seenEmails = new Set<string>();
  const extraAdmins = new Map<string, number>();
  const futureBirth = noFutureBirthDate(deps.clock.now());
  for (let start = 0; start < rows.length; start += CHUNK) {
    // Parse, de-duplicate and hash (off the event loop) first; then write the chunk.
    const ready: { row: number; i: CreateInput; passwordHash: string | null }[] = [];
    for (let n = start; n < Math.min(start + CHUNK, rows.length); n++) {
      const raw = rows[n] ?? {};
      const row = n + 1;
      const parsed = checkInput(createSchema, raw, futureBirth);
      if (!parsed.ok) {
        results.push({ row, userId: typeof raw.userId === "string" ? raw.userId : "", status: "error", code: "validation_failed", errors: parsed.errors });
        continue;
      }
      const i = parsed.data;
      try {
        if (seenUserIds.has(i.userId)) throw new AppError("user_id_taken", { userId: "import.duplicate" });
        if (i.email && seenEmails.has(i.email.toLowerCase())) throw new AppError("email_taken", { email: "import.duplicate" });
        if (o.dryRun) results.push(checkRow(deps, scope, i, row, extraAdmins));
        else ready.push({ row, i, passwordHash: await hashIfGiven(deps, i) });
        seenUserIds.add(i.userId);
        if (i.email) seenEmails.add(i.email.toLowerCase());
      } catch (e) {
        results.push(fail(row, i.userId, e));
      }
    }
    if (ready.length) {
      const created = createChunk(deps, scope, ready, o.meta);
      results.push(...created);
      // SPEC §5: a mail is tried at once, so the chunk's setup mails go now, not after the whole file.
      if (created.some((r) => r.status === "created")) deps.mailQueued();
    }
    o.onProgress?.(Math.min(start + CHUNK, rows.length), rows.length);
    // Other requests run between chunks.
    await new Promise<void>((r) => afterTheseAnswers(r));
  }
  results.sort((a, b) => a.row - b.row);
  o.onProgress?.(rows.length, rows.length);
  return {
    dryRun: o.dryRun,
    total: rows.length,
    valid: results.filter((r) => r.status !== "error").length,
    created: results.filter((r) => r.status === "created").length,
    failed: results.filter((r) => r.status === "error").length,
    results,
  };
}

function checkRow(deps: Deps, scope: AdminScope, i: CreateInput, row: number, extraAdmins: Map<string, number>): ImportRowResult {
  const org = assertCreatable(deps.db, scope, i);
  if (i.type === "admin") {
    const limit = deps.db.select({ l: organizations.adminLimit }).from(organizations).where(eq(organizations.id, org.id)).get()?.l ?? 0;
    const planned = (extraAdmins.get(org.id) ?? 0) + 1;
    if (countAdmins(deps.db, org.id) + planned > limit) throw new AppError("admin_limit_reached");
    extraAdmins.set(org.id, planned);
  }
  // The dry run checks the password rules without paying for the hash.
  const problem = i.password ? passwordProblem(i.password, { userId: i.userId, email: i.email }) : null;
  if (problem) throw new AppError("weak_password", { password: problem });
  return { row, userId: i.userId, status: "valid", outcome: i.password ? "password" : i.email ? "setup_mail" : "setup_link" };
}

/**
 * One transaction for a chunk of rows (one commit, not two hundred), with a
 * savepoint per row: a row that breaks a rule rolls back alone and the
 * others stay, so no account is ever half-created.
 */
function createChunk(deps: Deps, scope: AdminScope, ready: { row: number; i: CreateInput; passwordHash: string | null }[], meta: RequestMeta): ImportRowResult[] {
  return deps.db.transaction(
    (tx) =>
      ready.map(({ row, i, passwordHash }): ImportRowResult => {
        try {
          const r = tx.transaction((sp) => insertUser(sp, deps, scope, i, passwordHash, meta));
          return { row, userId: i.userId, status: "created", outcome: r.outcome, ...(r.setupUrl ? { setupUrl: r.setupUrl } : {}) };
        } catch (e) {
          return fail(row, i.userId, e);
        }
      }),
    { behavior: "immediate" },
  );
}
