import fc from "fast-check";
import { expect } from "vitest";

/**
 * Hostile input for the property tests (issue 7 item 4): strings that would
 * run script if echoed raw, that hide direction or carry control bytes, and
 * JSON of every shape, type and size. Imported by tests only.
 */

/** Strings a page must never echo raw. None holds a NUL (browsers and SQLite treat it specially; it is fuzzed elsewhere). */
export const HOSTILE_STRINGS = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "{{constructor.constructor('alert(1)')()}}",
  "\u202Eevil\u202C txt.exe",
  "\u0001\u0007\u001b[31mred\u001b[0m\u007f",
  "' onmouseover='alert(1)",
  "</textarea><svg onload=alert(1)>",
] as const;

/** No lone surrogate: a string that can be UTF-8 encoded, so put in a URL (String#isWellFormed, before ES2024's types). */
export const isWellFormed = (s: string): boolean => !/\p{Cs}/u.test(s);

/** Any string: full Unicode, ASCII control characters, graphemes, the hostile list, and big ones. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 2 },
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 2 },
  // Lone surrogates cannot be written by fc's units; JSON carries them as escapes.
  { arbitrary: fc.constantFrom("\ud800", "a\udfffb", "\ufeff", "\u0000", "ab\u0000cd", "\u0000\u0000\u0000", "%00", "%", "../../etc/passwd", "__proto__", "constructor"), weight: 1 },
  { arbitrary: fc.integer({ min: 300, max: 120_000 }).chain((n) => fc.constantFrom("x", "é", "あ", "😀", "<").map((ch) => ch.repeat(n))), weight: 1 },
);

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` deep. */
export const nested = (depth: number, kind: "array" | "object"): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === "array" ? [v] : { a: v };
  return v;
};

/** A value of any JSON type, shallow or very deep. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyString, weight: 5 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, 1e308, -1e-308)), weight: 2 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.array(anyString, { maxLength: 4 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  // JSON.stringify recurses: deeper values than this go as raw text (jsonBody).
  { arbitrary: fc.tuple(fc.integer({ min: 50, max: 2_000 }), fc.constantFrom("array" as const, "object" as const)).map(([d, k]) => nested(d, k)), weight: 1 },
);

/** Keys that are not fields, including ones that touch prototypes. */
const strayKey = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"));

/**
 * A JSON request body: the endpoint's real fields with values of any type,
 * any JSON at all, or something that is not JSON.
 */
export function jsonBody(fields: readonly string[]): fc.Arbitrary<string> {
  const record = fields.length
    ? fc.record(Object.fromEntries(fields.map((f) => [f, anyValue])) as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] })
    : fc.constant({});
  const withStrays = fc.tuple(record, fc.dictionary(strayKey, anyValue, { maxKeys: 3 })).map(([r, extra]) => ({ ...extra, ...(r as object) }));
  return fc.oneof(
    { arbitrary: record.map((v) => JSON.stringify(v)), weight: 6 },
    { arbitrary: withStrays.map((v) => JSON.stringify(v)), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), weight: 2 },
    {
      arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: true, withDate: true, withMap: true, withSet: true, withSparseArray: true }).map((v) => JSON.stringify(v) ?? "null"),
      weight: 1,
    },
    // Lone surrogates and NUL survive as JSON escapes.
    { arbitrary: fc.constantFrom(...fields, "x").map((f) => `{"${f}":"\\ud800\\u0000\\udfff"}`), weight: 1 },
    // Nesting far deeper than any recursive walker survives (JSON.parse does; JSON.stringify would not).
    {
      arbitrary: fc.tuple(fc.constantFrom(...fields, "x"), fc.integer({ min: 10_000, max: 200_000 }), fc.boolean()).map(([f, d, top]) => {
        const deep = `${"[".repeat(d)}1${"]".repeat(d)}`;
        return top ? deep : `{"${f}":${deep}}`;
      }),
      weight: 1,
    },
    { arbitrary: fc.string({ unit: "binary", maxLength: 60 }), weight: 2 },
  );
}

/** A query string from the endpoint's real parameters, stray ones, and broken percent-encoding. */
export function queryString(params: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof({ arbitrary: fc.constantFrom(...params, "limit", "cursor"), weight: 4 }, { arbitrary: strayKey, weight: 1 });
  const value = fc.oneof(
    // A lone surrogate cannot be percent-encoded (no client can send one); broken UTF-8 comes raw below.
    { arbitrary: anyString.filter((s) => s.length < 5000 && isWellFormed(s)), weight: 4 },
    { arbitrary: fc.constantFrom("0", "-1", "201", "1e3", "NaN", "Infinity", "1.5", "", " ", "9".repeat(400)), weight: 2 },
    { arbitrary: fc.constantFrom("2026-13-45", "2026-02-30", "2026-01-15T25:61:61Z", "0000-00-00", "9999-12-31T23:59:59.999+14:00"), weight: 1 },
  );
  const encoded = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&"));
  const raw = fc.constantFrom("%", "%zz", "a=%E0%A4%A", "q=%FF%FE", "q=%ED%A0%80", "limit=%00", "&&&==&", "q", "cursor=%2F%2F..", "q[]=1&q[]=2", "limit=1&limit=2");
  return fc.oneof({ arbitrary: encoded, weight: 5 }, { arbitrary: raw, weight: 1 });
}

/** A client address per request, so per-address throttles do not hide the code behind them. */
export const someIp = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`);

/**
 * SPEC §4: anything but a 5xx, and every error a complete problem+json.
 * Returns the parsed problem (or null for a success).
 */
export async function expectNo5xx(r: Response, what: string): Promise<{ code: string; status: number } | null> {
  const text = await r.text();
  expect(r.status, `${what} → ${r.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (r.status < 400) return null;
  expect(r.headers.get("content-type"), `${what} → ${r.status} content-type`).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  for (const k of ["type", "title", "detail", "code"]) expect(typeof body[k], `${what}: problem.${k} in ${text.slice(0, 300)}`).toBe("string");
  expect(body.status, `${what}: problem.status`).toBe(r.status);
  return { code: body.code as string, status: r.status };
}
