import { and, asc, desc, eq, gt, lt, or, sql, type SQL } from "drizzle-orm";
import { rawColumns } from "../db/rows.js";
import { z } from "zod";
import type { Db } from "../db/client.js";
import type { Deps } from "../deps.js";
import { AppError } from "../errors.js";
import { accounts, accountStatuses, accountTypes, organizations, type Account } from "../db/schema.js";
import { groupNameField, parseInput } from "../accounts/fields.js";
import { presentAccount } from "../accounts/present.js";
import { inGroup } from "../organizations/directory.js";
import { decodeCursor, encodeCursor, listQuerySchema } from "../pagination.js";
import { accountTextMatch, ftsQuery, searchText } from "../accounts/text-search.js";
import { preparedFor } from "../db/prepared.js";
import { adminScope, type AdminScope } from "./access.js";

export const sortKeys = ["userId", "nickname", "email", "type", "status", "groupName", "createdAt", "lastLoginAt"] as const;
export type SortKey = (typeof sortKeys)[number];

/** The filters of the users table; the export takes the same ones. */
export const userFilterSchema = z.object({
  // FTS5 cannot take a NUL inside a phrase; nobody types one, so it is dropped, not refused.
  q: z
    .string()
    .trim()
    .max(200, "field.tooLong")
    .transform((s) => s.replaceAll("\0", ""))
    .optional(),
  type: z.enum(accountTypes, { message: "field.invalid" }).optional().or(z.literal("").transform(() => undefined)),
  status: z.enum(accountStatuses, { message: "field.invalid" }).optional().or(z.literal("").transform(() => undefined)),
  // Normalised as a group name is; one that breaks the rules is refused rather than dropped.
  group: groupNameField.optional(),
  organizationId: z.string().max(64).optional().or(z.literal("").transform(() => undefined)),
});
export type UserFilter = z.infer<typeof userFilterSchema>;

export const searchSchema = listQuerySchema.extend(userFilterSchema.shape).extend({
  sort: z
    .enum(sortKeys, { message: "field.invalid" })
    .optional()
    .describe("Absent: by userId; with a query of 3 or more characters, in the order the accounts were created (order=desc: newest first)."),
  order: z.enum(["asc", "desc"], { message: "field.invalid" }).default("asc"),
});

/** Sort columns as SQL, with NULLs folded so keyset pagination can compare them. */
const sortColumn: Record<SortKey, SQL> = {
  userId: sql`${accounts.userId}`,
  nickname: sql`lower(${accounts.nickname})`,
  email: sql`coalesce(${accounts.emailLower}, '')`,
  type: sql`${accounts.type}`,
  status: sql`${accounts.status}`,
  groupName: sql`${accounts.groupName}`,
  createdAt: sql`${accounts.createdAt}`,
  lastLoginAt: sql`coalesce(${accounts.lastLoginAt}, 0)`,
};
const numericSort = new Set<SortKey>(["createdAt", "lastLoginAt"]);

/**
 * The WHERE clause of a users search. A query of three characters or more
 * uses the trigram index (substring match over userId, email and nickname);
 * a shorter one falls back to LIKE, which scans but is rarely typed alone.
 */
export function userFilterWhere(scope: AdminScope, f: UserFilter): SQL | undefined {
  const where: SQL[] = [];
  const org = scope.organizationId ?? f.organizationId;
  if (org) where.push(eq(accounts.organizationId, org));
  if (f.type) where.push(eq(accounts.type, f.type));
  if (f.status) where.push(eq(accounts.status, f.status));
  const group = f.group || null;
  if (group) where.push(inGroup(accounts.groupName, group));
  const q = searchText(f.q);
  if (q) where.push(accountTextMatch(q));
  return where.length ? and(...where) : undefined;
}

/**
 * A users cursor is `[order, last value, last id]`, `order` naming the sort it continues
 * ("userId:asc", "key:desc", …): a cursor given with another sort or order is refused,
 * where it would otherwise answer a wrong or empty page.
 */
const cursorOf = (order: string, value: string | number, id: string) => encodeCursor(JSON.stringify([order, value, id]));

function parseCursor(c: string, order: string): [string | number, string] {
  try {
    const v = JSON.parse(c) as unknown;
    if (Array.isArray(v) && v.length === 3 && v[0] === order && (typeof v[1] === "string" || typeof v[1] === "number") && typeof v[2] === "string") return [v[1], v[2]];
  } catch {
    // fall through
  }
  throw new AppError("validation_failed", { cursor: "field.invalid" });
}

/** The users table: search, filters, sorting, cursor pagination with the total. */
export function searchUsers(deps: Pick<Deps, "db">, actor: Account, query: unknown) {
  const scope = adminScope(actor);
  const i = parseInput(searchSchema, query);
  const q = searchText(i.q);
  const match = q && ftsQuery(q);
  if (match && (i.sort === undefined || i.sort === "userId")) return searchInIndex(deps, scope, i, match);
  const sort = i.sort ?? "userId";
  const where = userFilterWhere(scope, i);
  const total = deps.db.select({ n: sql<number>`count(*)` }).from(accounts).where(where).get()?.n ?? 0;

  const col = sortColumn[sort];
  const dir = i.order === "desc" ? desc : asc;
  let keyset: SQL | undefined;
  const order = `${sort}:${i.order}`;
  const cursor = decodeCursor(i.cursor);
  if (cursor) {
    const [rawValue, id] = parseCursor(cursor, order);
    const value = numericSort.has(sort) ? Number(rawValue) : String(rawValue);
    const cmp = i.order === "desc" ? lt : gt;
    keyset = or(sql`${col} ${sql.raw(i.order === "desc" ? "<" : ">")} ${value}`, and(sql`${col} = ${value}`, cmp(accounts.id, id))) as SQL;
  }
  const rows = deps.db
    .select({ account: accounts, sortValue: sql<string | number>`${col}`, organizationName: organizations.name })
    .from(accounts)
    .leftJoin(organizations, eq(organizations.id, accounts.organizationId))
    .where(keyset ? and(where, keyset) : where)
    .orderBy(dir(col), dir(accounts.id))
    .limit(i.limit + 1)
    .all();
  const page = rows.slice(0, i.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => presentAccount(r.account, r.organizationName)),
    nextCursor: rows.length > i.limit && last ? cursorOf(order, last.sortValue, last.account.id) : null,
    total,
  };
}

export type SearchResult = ReturnType<typeof searchUsers>;

/**
 * The accounts behind a page of index keys, with their organization's name,
 * read as raw rows and decoded by the schema's own column types. One
 * statement, prepared once per connection.
 */
const accountColumns = rawColumns(accounts);
const accountsByKeys = (db: Db) =>
  preparedFor(db, "admin.search.accounts", () =>
    db.$client
      .prepare(
        `SELECT k.key, o.name, ${accountColumns.select("a")}
         FROM account_search_keys k JOIN accounts a ON a.id = k.account_id LEFT JOIN organizations o ON o.id = a.organization_id
         WHERE k.key IN (SELECT value FROM json_each(?))`,
      )
      .raw(),
  );

/**
 * A typed query (three characters or more) answered in the trigram index
 * alone: the index carries the filter columns, so the total and the page
 * come from it, and only the page's accounts are read.
 *
 * Without a chosen sort the matches come in index order: an account's key
 * is given once, when it is created, and never changes, so this is creation
 * order (oldest first; order=desc: newest first), stable across edits, and
 * the index stops reading as soon as the page is full. Sorting by userId has
 * to read the userId of every match before it can show the first row, which
 * for a common trigram is thousands of rows: that cost is paid only when
 * asked for (the users page asks for it).
 */
function searchInIndex(deps: Pick<Deps, "db">, scope: AdminScope, i: z.infer<typeof searchSchema>, match: string) {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, ...values: string[]) => {
    where.push(clause);
    params.push(...values);
  };
  add("accounts_fts MATCH ?", match);
  const org = scope.organizationId ?? i.organizationId;
  if (org) add("organization_id = ?", org);
  if (i.type) add("type = ?", i.type);
  if (i.status) add("status = ?", i.status);
  const group = i.group || null;
  // The same range as inGroup(): the group itself and everything under "group/".
  if (group) add("(group_name = ? OR (group_name >= ? AND group_name < ?))", group, `${group}/`, `${group}0`);
  const c = deps.db.$client;
  // A statement per shape of the query (which filters, which order, first page or not), prepared once per connection.
  const statement = (text: string) => preparedFor(deps.db, `admin.search:${text}`, () => c.prepare(text));
  const filter = where.join(" AND ");
  const total = statement(`SELECT count(*) AS n FROM accounts_fts WHERE ${filter}`).pluck().get(...params) as number;

  const byKey = i.sort === undefined;
  const col = byKey ? "rowid" : "user_id";
  const down = i.order === "desc";
  const order = `${byKey ? "key" : "userId"}:${down ? "desc" : "asc"}`;
  const cursor = decodeCursor(i.cursor);
  let after: string | number | null = null;
  if (cursor) {
    const value = parseCursor(cursor, order)[0];
    after = byKey ? Number(value) : String(value);
    if (byKey && !Number.isSafeInteger(after)) throw new AppError("validation_failed", { cursor: "field.invalid" });
  }
  const keys = statement(
    `SELECT rowid FROM accounts_fts WHERE ${filter}${after !== null ? ` AND ${col} ${down ? "<" : ">"} ?` : ""} ORDER BY ${col} ${down ? "DESC" : "ASC"} LIMIT ?`,
  )
    .pluck()
    .all(...params, ...(after !== null ? [after] : []), i.limit + 1) as number[];
  const shown = keys.slice(0, i.limit);
  const rows = shown.length ? (accountsByKeys(deps.db).all(JSON.stringify(shown)) as unknown[][]) : [];
  const byKeyRow = new Map(rows.map((r) => [r[0] as number, { key: r[0] as number, organizationName: r[1] as string | null, account: accountColumns.decode(r, 2) }]));
  // In the page's order; a key whose account went in the meantime is left out.
  const hits = shown.flatMap((k) => byKeyRow.get(k) ?? []);
  const last = hits.at(-1);
  return {
    items: hits.map((h) => presentAccount(h.account, h.organizationName)),
    nextCursor: keys.length > i.limit && last ? cursorOf(order, byKey ? last.key : last.account.userId, last.account.id) : null,
    total,
  };
}
