import { and, asc, eq, gt, inArray, is, Placeholder, sql } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { accounts, organizations, type Account } from "../db/schema.js";
import type { Db } from "../db/client.js";
import { parseInput } from "../accounts/fields.js";
import type { RequestMeta } from "../deps.js";
import { adminScope, ref } from "./access.js";
import { audit } from "./audit.js";
import { userFilterSchema, userFilterWhere } from "./users.js";
import { afterTheseAnswers } from "../http/listener.js";

/** The exported columns: every profile field, never a hash or token. */
export const exportColumns = [
  "id", "userId", "email", "type", "status", "organization", "nickname", "groupName", "gender", "birthDate", "location",
  "statusMessage", "language", "friendPolicy", "friendingForbidden", "pushOffline", "level", "role",
  "createdAt", "updatedAt", "lastLoginAt", "emailVerifiedAt",
] as const;

/**
 * The columns as SQL, in the order above: read as plain arrays (a raw
 * statement), so 100,000 rows cost no row objects or Date conversions.
 */
const selected = {
  id: accounts.id, userId: accounts.userId, email: accounts.email, type: accounts.type, status: accounts.status,
  organization: organizations.name, nickname: accounts.nickname, groupName: accounts.groupName, gender: accounts.gender,
  birthDate: accounts.birthDate, location: accounts.location, statusMessage: accounts.statusMessage, language: accounts.language,
  friendPolicy: accounts.friendPolicy, friendingForbidden: accounts.friendingForbidden, pushOffline: accounts.pushOffline,
  level: accounts.level, role: accounts.role, createdAt: accounts.createdAt, updatedAt: accounts.updatedAt,
  lastLoginAt: accounts.lastLoginAt, emailVerifiedAt: accounts.emailVerifiedAt,
};
const BOOLEAN = new Set(exportColumns.map((c, n) => (c === "friendingForbidden" || c === "pushOffline" ? n : -1)));
const TIME = new Set(exportColumns.map((c, n) => (c.endsWith("At") ? n : -1)));
const USER_ID = exportColumns.indexOf("userId");

/** A raw value as exported: booleans as true/false, times as ISO 8601, absent as null. */
function cell(v: unknown, n: number): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (BOOLEAN.has(n)) return v === 1 || v === true;
  if (TIME.has(n)) return new Date(v as number).toISOString();
  return v as string | number;
}

/**
 * SPEC §4: a cell a spreadsheet would read as a formula (=, +, -, @, tab,
 * CR first) gets a leading apostrophe, so an export opened in Excel cannot
 * run what a user typed into their nickname.
 */
export const neutralizeCell = (v: string): string => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** A CSV field as RFC 4180 (and csv-stringify, which wrote these before) has it: quoted when it holds a comma, quote or line break. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return "";
  const s = typeof v === "string" ? neutralizeCell(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One account as a CSV line. */
export function csvRow(raw: readonly unknown[]): string {
  let line = csvField(cell(raw[0], 0));
  for (let n = 1; n < exportColumns.length; n++) line += "," + csvField(cell(raw[n], n));
  return line + "\n";
}

/** One account as a JSON object, its keys in column order. */
function jsonRow(raw: readonly unknown[]): string {
  const o: Record<string, unknown> = {};
  for (let n = 0; n < exportColumns.length; n++) o[exportColumns[n]!] = cell(raw[n], n);
  return JSON.stringify(o);
}

export const exportSchema = userFilterSchema.extend({
  format: z.enum(["csv", "json"], { message: "field.invalid" }).default("csv"),
  /** Comma-separated account ids (the checked rows); else the filters choose. */
  ids: z.string().max(100_000).optional(),
});

/** Rows a download reads at a time: the LIMIT of each batch `keysetDownload` reads. */
export const BATCH = 500;
const CHUNK = 64 * 1024;

/**
 * UTF-8 straight into 64 KB buffers, row by row: a batch never becomes one
 * large string, and each buffer goes to the socket as it is.
 */
class ChunkWriter {
  private buf = Buffer.allocUnsafe(CHUNK);
  private at = 0;
  private done: Buffer[] = [];

  write(s: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8: past that, the row might not fit.
    if (this.at + s.length * 3 > CHUNK) this.flush();
    if (s.length * 3 > CHUNK) this.done.push(Buffer.from(s, "utf8"));
    else this.at += this.buf.write(s, this.at, "utf8");
  }

  /** The buffers filled so far, the current one included. */
  take(): Buffer[] {
    this.flush();
    return this.done.splice(0);
  }

  private flush(): void {
    if (this.at === 0) return;
    this.done.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.at = 0;
  }
}

/** Streams the chosen accounts by userId (`keysetDownload`). */
export function exportUsers(deps: Pick<Deps, "db" | "clock">, actor: Account, query: unknown, meta: Pick<RequestMeta, "ip">, o: { headersOnly?: boolean } = {}) {
  const scope = adminScope(actor);
  const i = parseInput(exportSchema, query);
  const ids = i.ids ? i.ids.split(",").map((s) => s.trim()).filter(Boolean).slice(0, 10_000) : null;
  // A copy of personal data leaving the server: who took it, in what form, and which accounts it was asked for.
  // A HEAD (`headersOnly`) takes nothing away, and is not recorded as if it had.
  const filter = ids ? { ids: ids.length } : Object.fromEntries(Object.entries({ q: i.q, type: i.type, status: i.status, group: i.group, organizationId: i.organizationId }).filter(([, v]) => v));
  if (!o.headersOnly) {
    deps.db.transaction((tx) =>
      audit(tx, deps, { action: "admin.users_exported", actor: ref(actor), organizationId: scope.organizationId ?? i.organizationId ?? null, from: meta, detail: { format: i.format, ...filter } }),
    );
  }
  const where = and(userFilterWhere(scope, ids ? {} : i), ids ? inArray(accounts.id, ids) : undefined);
  // userId is unique: each batch continues after the last one's.
  const page = deps.db
    .select(selected)
    .from(accounts)
    .leftJoin(organizations, eq(organizations.id, accounts.organizationId))
    .where(and(where, gt(accounts.userId, sql.placeholder("after"))))
    .orderBy(asc(accounts.userId))
    .limit(BATCH);
  return {
    filename: `roster-users-${deps.clock.now().toISOString().slice(0, 10)}.${i.format}`,
    ...keysetDownload(deps.db, { format: i.format, columns: exportColumns, page, first: "", key: USER_ID, csvLine: csvRow, jsonLine: jsonRow }),
  };
}

/**
 * A download of rows read in batches by a unique key, as CSV (a byte-order
 * mark, so Excel reads the UTF-8 right, and a header line) or a JSON array.
 * `page` is the query for one batch: the rows after `sql.placeholder("after")`
 * in key order, `.limit(BATCH)`; it is prepared once, as a raw statement (rows
 * as arrays, no row objects). Each batch is one short read, and the
 * connection is free for other requests between batches. The body is pulled,
 * so the next batch is read only when the socket has taken the last one:
 * memory stays flat whatever the count and however slow the client.
 */
export function keysetDownload<K extends string | number>(
  db: Db,
  o: {
    format: "csv" | "json";
    columns: readonly string[];
    page: { toSQL(): { sql: string; params: unknown[] } };
    /** Before every key. */
    first: K;
    /** The key's column in a row. */
    key: number;
    csvLine: (raw: readonly unknown[]) => string;
    jsonLine: (raw: readonly unknown[]) => string;
  },
): { contentType: string; body: ReadableStream<Uint8Array> } {
  const csv = o.format === "csv";
  const query = o.page.toSQL();
  const statement = db.$client.prepare(query.sql).raw();
  const read = (after: K) => statement.iterate(...query.params.map((p) => (is(p, Placeholder) ? after : p))) as IterableIterator<unknown[]>;
  const line = csv ? o.csvLine : o.jsonLine;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const out = new ChunkWriter();
    out.write(csv ? `\uFEFF${o.columns.join(",")}\n` : "[");
    let after = o.first;
    let first = true;
    for (;;) {
      let rows = 0;
      for (const raw of read(after)) {
        out.write(csv || first ? line(raw) : "," + line(raw));
        first = false;
        after = raw[o.key] as K;
        rows++;
      }
      if (rows < BATCH) break;
      yield* out.take();
      // Let other requests run between batches.
      await new Promise<void>((r) => afterTheseAnswers(r));
    }
    if (!csv) out.write("]");
    yield* out.take();
  }
  return { contentType: csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8", body: ReadableStream.from(chunks()) };
}
