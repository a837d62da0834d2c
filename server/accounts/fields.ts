import { z } from "zod";
import { AppError, type FieldErrors } from "../errors.js";
import { friendPolicies, genders } from "../db/schema.js";

/**
 * The SPEC §2 field rules, once. Messages are i18n keys (server/i18n), so the
 * API can say them in English and the pages in the reader's language.
 */

/**
 * An identifier as a person types it (a user ID, an email, a log-in name, a
 * code), NFKC-normalised: a Japanese input method often gives full-width
 * letters and digits ("ｔａｎａｋａ＠ａｃｍｅ．ｊｐ"), which mean the ASCII
 * ones. Identifiers are ASCII (the userId pattern, z.email()), so this never
 * changes one that was valid before. Not for passwords (normalizePassword
 * owns theirs) nor free text such as nicknames, where the half-width kana or
 * symbols someone chose are theirs to keep.
 */
export const typedIdentifier = (message: string) => z.string({ message }).normalize("NFKC").trim();

/** Stored as given (NFKC-normalised, case kept), compared lower-cased. */
export const emailField = typedIdentifier("email.invalid")
  .max(254, "email.invalid")
  .pipe(z.email({ message: "email.invalid" }));

export const userIdField = typedIdentifier("userId.invalid")
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,31}$/, "userId.invalid");

/** Length and other rules are checked by passwordProblem(), which knows the userId and email. */
export const passwordField = z.string({ message: "password.tooShort" }).max(1024, "password.tooLong");

/** A lone UTF-16 surrogate (JSON "\ud800"): not a character; storage would turn it into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Control characters (NUL, escapes, and in one line: line breaks), the bidi overrides that make a
 * name read backwards, and U+FFFD, what bytes that were not UTF-8 became on the way (a form sent
 * as "%C0%80"): nobody types it, and stored it shows as "�" in every list.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const LINE_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFD]/;
// eslint-disable-next-line no-control-regex -- as above, line breaks and tabs allowed
const LINES_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFD]/;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
/**
 * Characters as a person counts them (grapheme clusters): "が", "👍🏽" and "👨‍👩‍👧" are one each,
 * not two to eight UTF-16 units.
 */
export function characters(s: string): number {
  // Text of Latin letters alone has no cluster longer than one unit.
  if (/^[ -\u02FF]*$/.test(s)) return s.length;
  let n = 0;
  for (const _ of graphemes.segment(s)) n++;
  return n;
}

/** The text without what badCharacters() finds in one line (for names a client gives itself, where refusing would only fail the request). */
export const withoutBadCharacters = (s: string): string => s.replace(new RegExp(LONE_SURROGATE.source, "g"), "").replace(new RegExp(LINE_FORBIDDEN.source, "g"), "");

/** Whether text holds a lone surrogate, a control character or a direction override (in one line, a line break too). */
export const badCharacters = (s: string, lines = false): boolean => LONE_SURROGATE.test(s) || (lines ? LINES_FORBIDDEN : LINE_FORBIDDEN).test(s);

/**
 * Free text a person types, trimmed: well-formed Unicode, at most `max` characters, and no
 * control characters. One line (names, places, a status) goes into mail subjects, one-line
 * lists and CSV cells, so it has no line breaks either; `lines` (a message, a reason) keeps
 * them, as "\n". `message` is the field's own i18n key for a length mistake; `empty`, for
 * an empty one when `min` is set (the same key unless given).
 */
export function textField(message: string, o: { max: number; min?: number; lines?: boolean; empty?: string }) {
  return z
    .string({ message: o.empty ?? message })
    .transform((s) => (o.lines ? s.replace(/\r\n?/g, "\n") : s).trim())
    .superRefine((s, ctx) => {
      if (badCharacters(s, o.lines)) ctx.addIssue({ code: "custom", message: "text.badCharacters" });
      else if (s.length < (o.min ?? 0)) ctx.addIssue({ code: "custom", message: o.empty ?? message });
      // No character people see takes a dozen UTF-16 units (a family of four emoji takes eleven):
      // a longer text is too long without counting it, which a megabyte of text would make slow.
      else if (s.length > o.max * 12 || characters(s) > o.max) ctx.addIssue({ code: "custom", message });
    });
}

export const nicknameField = textField("nickname.invalid", { max: 64 });
export const avatarUrlField = z
  .string({ message: "avatarUrl.invalid" })
  .trim()
  .max(500, "avatarUrl.invalid")
  .refine((s) => s === "" || (isHttpUrl(s) && !badCharacters(s)), "avatarUrl.invalid");
export const organizationNameField = textField("organizationName.invalid", { min: 1, max: 100 });

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/** "Sales / Tokyo//Team A " → "Sales/Tokyo/Team A"; null when it breaks the rules. */
export function normalizeGroupName(input: string): string | null {
  const segments = input
    .split("/")
    .map((s) => s.trim())
    .filter(Boolean);
  if (segments.length > 8 || segments.some((s) => s.length > 64 * 12 || characters(s) > 64 || LONE_SURROGATE.test(s) || LINE_FORBIDDEN.test(s))) return null;
  return segments.join("/");
}

export const groupNameField = z
  .string({ message: "groupName.invalid" })
  .max(1000, "groupName.invalid")
  .transform((s, ctx) => {
    const n = normalizeGroupName(s);
    if (n === null) {
      ctx.addIssue({ code: "custom", message: "groupName.invalid" });
      return z.NEVER;
    }
    return n;
  });

/** A real calendar date, not in the future (checked against the clock by the service). */
export const birthDateField = z
  .string({ message: "birthDate.invalid" })
  .regex(/^\d{4}-\d{2}-\d{2}$/, "birthDate.invalid")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && d.getUTCFullYear() >= 1900;
  }, "birthDate.invalid");

export const languageField = z
  .string({ message: "language.invalid" })
  .trim()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "language.invalid")
  .max(35, "language.invalid");

/** The profile fields a user edits on themselves (PATCH /me). */
export const profileSchema = z.object({
  nickname: nicknameField.optional(),
  avatarUrl: avatarUrlField.optional(),
  groupName: groupNameField.optional(),
  gender: z.enum(genders, { message: "gender.invalid" }).optional(),
  birthDate: z.union([birthDateField, z.null(), z.literal("").transform(() => null)]).optional(),
  location: textField("location.invalid", { max: 64 }).optional(),
  statusMessage: textField("statusMessage.invalid", { max: 140 }).optional(),
  language: languageField.optional(),
  friendPolicy: z.enum(friendPolicies, { message: "friendPolicy.invalid" }).optional(),
  messageSettings: z.object({ pushOffline: z.boolean({ message: "field.invalid" }).optional() }, { message: "field.invalid" }).optional(),
});
export type ProfileInput = z.infer<typeof profileSchema>;

/**
 * Validates `data` against `schema`; on failure throws `validation_failed`
 * with one message key per field. Unknown fields are dropped (SPEC §6).
 */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown, also?: (data: unknown) => FieldErrors): z.infer<S> {
  const r = checkInput(schema, data, also);
  if (r.ok) return r.data;
  throw new AppError("validation_failed", r.errors);
}

/** `parseInput` without the throw (an import checks many rows): the data, or every field's message. */
export function checkInput<S extends z.ZodType>(schema: S, data: unknown, also?: (data: unknown) => FieldErrors): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
  // Only a missing body reads as {}: a JSON `null` is a body of the wrong type.
  const r = schema.safeParse(data === undefined ? {} : data);
  // Rules the schema cannot know (they need the clock) are checked at the same time,
  // so a form with several mistakes hears about all of them at once.
  const extra = also?.(data) ?? {};
  if (r.success && Object.keys(extra).length === 0) return { ok: true, data: r.data };
  return { ok: false, errors: { ...extra, ...(r.success ? {} : issuesToFields(r.error.issues, data)) } };
}

/**
 * A token from a link. One longer than any token is not a mistake in a field
 * but a token that matches nothing: the service answers `invalid_token` for
 * it, as for any other wrong token.
 */
export const tokenText = (missing: string) =>
  z.string({ message: missing }).transform((s) => (s.length > 200 ? "" : s));

/** SPEC §2: a birth date is not in the future (judged by the UTC date of `now`). */
export const noFutureBirthDate =
  (now: Date) =>
  (data: unknown): FieldErrors => {
    const b = data && typeof data === "object" ? (data as { birthDate?: unknown }).birthDate : undefined;
    return typeof b === "string" && /^\d{4}-\d{2}-\d{2}$/.test(b) && b > now.toISOString().slice(0, 10) ? { birthDate: "birthDate.invalid" } : {};
  };

const isKey = (m: string) => /^[a-zA-Z]+\.[a-zA-Z]+$/.test(m);

export function issuesToFields(issues: readonly z.core.$ZodIssue[], data?: unknown): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.map(String).join(".") : "body";
    if (fields[key]) continue;
    const given = issue.path.length === 1 && data && typeof data === "object" ? (data as Record<string, unknown>)[String(issue.path[0])] : null;
    if (issue.path.length === 0 && (data === null || typeof data !== "object" || Array.isArray(data))) fields[key] = "field.invalid";
    else if (issue.code === "invalid_type" && given === undefined) fields[key] = "field.required";
    else fields[key] = isKey(issue.message) ? issue.message : "field.invalid";
  }
  return fields;
}

/** Throws validation_failed for one field. */
export const fieldError = (field: string, key: string): AppError => new AppError("validation_failed", { [field]: key });
