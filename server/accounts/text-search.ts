import { or, sql, type SQL } from "drizzle-orm";
import { accounts } from "../db/schema.js";

const likeEscaped = (q: string): string => q.replace(/[\\%_]/g, (m) => `\\${m}`);
/** `%`, `_` and `\` typed by a user match themselves in LIKE (with ESCAPE '\'). */
export const likeContains = (q: string): string => `%${likeEscaped(q)}%`;
/** The same, for "starts with". */
export const likePrefix = (q: string): string => `${likeEscaped(q)}%`;

/**
 * A typed search over accounts.
 *
 * `normal` is its NFKC form, so "ＴＡＮＡＫＡ" from an input method finds the
 * userId and email "tanaka" (both ASCII).
 *
 * Nicknames are stored as their owners wrote them, not normalised, and a
 * nickname from an older system is often in full-width letters ("ＴＡＮＡＫＡ")
 * or half-width katakana ("ﾀﾅｶ"). `nicknameForms` are the other ways the same
 * text can be written there: what was typed, when it differs, and the
 * full-width and half-width forms of the normal one. So "tanaka" finds
 * "ＴＡＮＡＫＡ", "タナカ" finds "ﾀﾅｶ", and the other way round.
 *
 * Null when blank.
 */
export interface SearchText {
  normal: string;
  nicknameForms: string[];
}

export function searchText(q: string | undefined): SearchText | null {
  // FTS5 cannot take a NUL inside a phrase; nobody types one, so it is dropped, not refused.
  const typed = (q ?? "").replaceAll("\0", "").trim();
  if (!typed) return null;
  const normal = typed.normalize("NFKC").trim() || typed;
  const forms = new Set([typed, fullWidth(normal), halfWidthKana(normal)]);
  forms.delete(normal);
  return { normal, nicknameForms: [...forms] };
}

/** ASCII letters, digits and symbols in their full-width forms (U+FF01–FF5E); everything else as it is. */
export function fullWidth(s: string): string {
  return s.replace(/[\x21-\x7e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

/**
 * Katakana and Japanese punctuation in their half-width forms ("ガ" → "ｶﾞ").
 * The table is NFKC read backwards: each half-width character, alone or with
 * a (semi-)voiced mark, and the one character NFKC makes of it.
 */
const halfWidth: Map<string, string> = (() => {
  const m = new Map<string, string>();
  for (let code = 0xff61; code <= 0xff9f; code++) {
    const h = String.fromCharCode(code);
    for (const mark of ["", "\uff9e", "\uff9f"]) {
      const full = (h + mark).normalize("NFKC");
      if ([...full].length === 1 && full !== h + mark && !m.has(full)) m.set(full, h + mark);
    }
  }
  return m;
})();

export function halfWidthKana(s: string): string {
  let out = "";
  for (const c of s) out += halfWidth.get(c) ?? c;
  return out;
}

const ftsPhrase = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const isShort = (s: string): boolean => [...s].length < 3;

/**
 * The trigram index's query for a typed search: its normal form in every
 * column (userId, email, nickname) and its other forms in the nickname
 * column. The index folds case, full-width letters included. Null when a
 * form is shorter than a trigram: such a query goes to LIKE instead.
 */
export function ftsQuery(q: SearchText): string | null {
  if (isShort(q.normal) || q.nicknameForms.some(isShort)) return null;
  return [ftsPhrase(q.normal), ...q.nicknameForms.map((f) => `nickname : ${ftsPhrase(f)}`)].join(" OR ");
}

/**
 * Accounts whose userId, email or nickname contains the search: through the
 * trigram index from three characters, by LIKE (a scan, rarely typed alone)
 * below that.
 */
export function accountTextMatch(q: SearchText): SQL {
  const match = ftsQuery(q);
  if (match) return sql`${accounts.id} IN (SELECT k.account_id FROM accounts_fts f JOIN account_search_keys k ON k.key = f.rowid WHERE accounts_fts MATCH ${match})`;
  const p = likeContains(q.normal.toLowerCase());
  // LIKE folds ASCII case only: full-width letters are tried in both cases.
  const forms = new Set(q.nicknameForms.flatMap((f) => [f, f.toLowerCase(), f.toUpperCase()]));
  return or(
    sql`${accounts.userId} LIKE ${p} ESCAPE '\\'`,
    sql`coalesce(${accounts.emailLower}, '') LIKE ${p} ESCAPE '\\'`,
    sql`lower(${accounts.nickname}) LIKE ${p} ESCAPE '\\'`,
    ...[...forms].map((f) => sql`${accounts.nickname} LIKE ${likeContains(f)} ESCAPE '\\'`),
  ) as SQL;
}
