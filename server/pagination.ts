import { z } from "zod";
import { AppError } from "./errors.js";
import { parseInput } from "./accounts/fields.js";

/** SPEC §4 lists: `?limit=` 1–200 (default 50) and an opaque `?cursor=`. */
export const listQuerySchema = z.object({
  // Decimal digits only: Number() would also read "0x10", "1e2" or " 7 " as numbers.
  limit: z
    .preprocess((v) => (typeof v === "string" && !/^\d{1,6}$/.test(v) ? Number.NaN : v), z.coerce.number({ message: "field.limitRange" }).int("field.limitRange").min(1, "field.limitRange").max(200, "field.limitRange"))
    .default(50),
  cursor: z.string().max(500).optional(),
});

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/**
 * An opaque cursor for the position `v`. With `list`, the cursor names its list, and
 * decodeCursor with the same `list` refuses any other: a cursor from another list, or
 * made up, is a 400, never an empty last page (a client syncing the directory would take
 * that for "everyone else is gone").
 */
export const encodeCursor = (v: string, list?: string): string => Buffer.from(list ? `${list}:${v}` : v, "utf8").toString("base64url");
export const decodeCursor = (c: string | undefined, list?: string): string | null => {
  if (!c) return null;
  const raw = Buffer.from(c, "base64url").toString("utf8");
  const v = list ? (raw.startsWith(`${list}:`) ? raw.slice(list.length + 1) : "") : raw;
  if (!v || Buffer.from(raw, "utf8").toString("base64url") !== c) throw new AppError("validation_failed", { cursor: "field.invalid" });
  return v;
};

/**
 * A page of a list that is read whole (API keys, one's sessions, organizations: tens of rows),
 * with the same `?limit=` and `?cursor=` as the lists paged in SQL. The cursor is the position
 * of the next row; a row removed between pages shifts the rest by one, which for such lists
 * is the whole cost.
 */
export function pageOfAll<T>(all: readonly T[], query: unknown): ListPage<T> {
  const i = parseInput(listQuerySchema, query);
  const cursor = decodeCursor(i.cursor);
  let from = 0;
  if (cursor !== null) {
    const m = /^@(\d{1,9})$/.exec(cursor);
    if (!m) throw new AppError("validation_failed", { cursor: "field.invalid" });
    from = Number(m[1]);
  }
  const items = all.slice(from, from + i.limit);
  const next = from + i.limit;
  return { items, nextCursor: next < all.length ? encodeCursor(`@${next}`) : null, total: all.length };
}
