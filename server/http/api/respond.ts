import type { Context } from "hono";
import { AppError, errorCodes, type ErrorCode, type FieldErrors } from "../../errors.js";
import { t } from "../../i18n/index.js";

const MAX_JSON = 1024 * 1024;

/**
 * Reads a JSON body: any other media type is `unsupported_media_type`,
 * unparsable JSON is `validation_failed`. (The size limit is the bodyLimit
 * middleware's.) An empty body reads as `{}`. `accepted` is what the 415
 * says the route takes, when that is more than JSON.
 */
export async function readJson(c: Context, accepted = "application/json"): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  const text = await c.req.text();
  if (text.trim() === "") return {};
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) throw unsupportedType(type, accepted);
  // JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset would be read wrong, not converted.
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) throw new AppError("unsupported_media_type", undefined, undefined, `JSON is read as UTF-8; this body says charset=${charset.slice(0, 40)}.`);
  if (Buffer.byteLength(text, "utf8") > MAX_JSON) throw new AppError("payload_too_large");
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("validation_failed", { body: "body.malformed" });
  }
}

/** A 415 that says what was sent and what the route takes: "multipart/form-data was sent; send application/json." */
export function unsupportedType(sent: string, accepted: string): AppError {
  const what = sent.split(";")[0]!.trim().slice(0, 80);
  return new AppError("unsupported_media_type", undefined, undefined, `${what ? `The body was sent as ${what}` : "The body was sent without a Content-Type"}; send it as ${accepted}.`);
}

/** Field message keys → English text for API clients. */
export const englishFields = (fields: FieldErrors): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, t("en", v)]));

/** RFC 9457 problem details for one of our error codes. */
export function problemBody(code: ErrorCode, opts: { detail?: string; fields?: FieldErrors; instance?: string } = {}) {
  const { status, title } = errorCodes[code];
  return {
    type: `/api/problems/${code}`,
    title,
    status,
    detail: opts.detail ?? title,
    code,
    ...(opts.fields && Object.keys(opts.fields).length ? { errors: englishFields(opts.fields) } : {}),
  };
}

export function problem(c: Context, err: AppError): Response {
  const body = problemBody(err.code, { detail: err.message, fields: err.fields });
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (err.retryAfter) headers["retry-after"] = String(err.retryAfter);
  // RFC 6750: a Bearer credential that was sent and refused (unknown, revoked, expired) says so; a valid
  // one of the wrong kind (an API key on /me, a session on introspection) is only asked for the right one.
  if (err.code === "unauthenticated") headers["www-authenticate"] = c.get("refusedBearer") ? 'Bearer realm="roster", error="invalid_token"' : 'Bearer realm="roster"';
  return c.body(JSON.stringify(body), err.status as 400, headers);
}
