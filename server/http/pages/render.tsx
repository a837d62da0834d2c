import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { getSettings } from "../../admin/settings.js";
import { AppError, isAppError } from "../../errors.js";
import { translator } from "../../i18n/index.js";
import { storageProblem, type Auth, type Ctx } from "../context.js";
import { ERROR_SUMMARY } from "../../../views/components/form.js";
import { Layout } from "../../../views/layout.js";
import type { FormState, Message, View } from "../../../views/view.js";

/** An htmx request wants the fragment only (STYLE §2); a history restore wants the whole page. */
export const isHx = (c: Ctx): boolean => c.req.header("hx-request") === "true" && !c.req.header("hx-history-restore-request");

/** The logged-in user of a page request (a session, not an API key), or null. */
export function sessionUser(c: Ctx): (Auth & { sessionId: string }) | null {
  const auth = c.get("auth");
  return auth?.sessionId ? (auth as Auth & { sessionId: string }) : null;
}

function serverName(c: Ctx): string {
  try {
    return getSettings(c.get("deps")).serverName;
  } catch {
    // The error page must render even when the database does not answer.
    return "Roster";
  }
}

/** Where the language switcher returns to: this page for a GET, the form's page after a POST. */
function defaultHere(c: Ctx): string {
  const url = new URL(c.req.url);
  if (c.req.method === "GET") return url.pathname + url.search;
  return url.pathname.startsWith("/account") ? "/account" : url.pathname;
}

export function viewOf(c: Ctx, here?: string): View {
  const account = sessionUser(c)?.account;
  return {
    lang: c.get("lang"),
    t: translator(c.get("lang")),
    serverName: serverName(c),
    user: account
      ? { userId: account.userId, name: account.nickname || account.userId, member: Boolean(account.organizationId), admin: account.type === "admin" || account.type === "owner" }
      : null,
    here: here ?? defaultHere(c),
  };
}

function headers(c: Ctx): void {
  // Pages carry personal data and depend on the cookie, the language and htmx.
  c.header("cache-control", "no-store");
  c.header("vary", "HX-Request, Cookie, Accept-Language");
}

const FORM_ERROR = `class="alert alert-error ${ERROR_SUMMARY}"`;

/**
 * Answers with a page in the layout, or with `fragment` (default: the body)
 * alone when htmx asked. A page that shows a form's errors says so first in
 * its title ("Error: Log in"): the title is what a screen reader reads first
 * after the form was sent, and what a tab shows.
 */
export function page(c: Ctx, o: { v: View; title: string; body: Child; fragment?: Child; status?: number }): Response {
  headers(c);
  const status = (o.status ?? 200) as 200;
  // Wrapped in a fragment so that even a plain string child is escaped.
  if (isHx(c)) return c.html(`${<>{o.fragment ?? o.body}</>}`, status);
  const body = `${<>{o.body}</>}`;
  const title = body.includes(FORM_ERROR) ? o.v.t("page.error.title", { title: o.title }) : o.title;
  return c.html(`<!DOCTYPE html>${<Layout v={o.v} title={title}>{raw(body)}</Layout>}`, status);
}

/** A 303 to `url`, or for htmx an HX-Redirect (htmx does not follow redirects with the page). */
export function go(c: Ctx, url: string): Response {
  headers(c);
  if (isHx(c)) {
    c.header("hx-redirect", url);
    return c.body(null, 200);
  }
  return c.redirect(url, 303);
}

/** A same-origin path to go to after an action, or `fallback`: never another site. */
export function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 1000) return fallback;
  // "//host" and "/\host" are other sites to a browser; control characters can hide either.
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\") || [...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return fallback;
  try {
    const base = "http://same.invalid";
    const u = new URL(next, base);
    const out = u.pathname + u.search + u.hash;
    // Dot segments resolve before the check above could see them: "/.//evil.example" is "//evil.example".
    return u.origin === base && !out.startsWith("//") ? out : fallback;
  } catch {
    return fallback;
  }
}

type Field = string | File;

/**
 * The POST body as form fields (`all`: repeated fields as arrays). A body that
 * is not the form it claims to be (a broken multipart, say) is a 400, never a 500.
 *
 * Our forms send `application/x-www-form-urlencoded`, read here as text with
 * URLSearchParams: hono's parseBody goes through a full web Request and
 * FormData, some ten times slower, and a 1 MB body of tiny fields to /login
 * took half a second of the event loop (an anonymous client with four
 * connections held every other request for seconds). Multipart is read only
 * where `files` says a form uploads one (the import).
 */
export async function parsedForm(c: Ctx, all = false, o: { files?: boolean } = {}): Promise<Record<string, Field | Field[]>> {
  const type = c.req.header("content-type") ?? "";
  if (/^application\/x-www-form-urlencoded\b/i.test(type) || type === "") {
    // A repeated field: every value with `all`, else the last (as parseBody does).
    const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    for (const [k, v] of new URLSearchParams(await c.req.text())) {
      const had = out[k];
      if (!all || had === undefined) out[k] = v;
      else if (Array.isArray(had)) had.push(v);
      else out[k] = [had, v];
    }
    return out;
  }
  if (!o.files || !/^multipart\/form-data\b/i.test(type)) throw new AppError("validation_failed");
  try {
    return await c.req.parseBody({ all });
  } catch {
    throw new AppError("validation_failed");
  }
}

/** The form fields of a POST (text values only; a file field is not something our forms send). */
export async function formBody(c: Ctx): Promise<Record<string, string>> {
  const body = await parsedForm(c);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; err: AppError };

/**
 * Runs a service call; an AppError becomes a result the form can show, and so
 * does a database that cannot be written (the form comes back with what was
 * typed, and a 503). Anything else is thrown on.
 */
export async function attempt<T>(c: Ctx, fn: () => T | Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (isAppError(e)) return { ok: false, err: e };
    const storage = storageProblem(c, e);
    if (storage) return { ok: false, err: storage };
    throw e;
  }
}

/** A sentence as a page title: without its closing full stop ("ページが見つかりません。" → "ページが見つかりません"). */
export const asTitle = (sentence: string): string => sentence.replace(/[。.]$/, "");

/** The page message for an error code, with `{seconds}` for rate_limited. */
export function errorMessage(err: AppError): Message {
  // A list's cursor is no field anyone typed: an old bookmark or link, said as such.
  if (err.fields?.cursor) return { key: "list.staleCursor" };
  return { key: `error.${err.code}`, params: { seconds: err.retryAfter ?? 60 } };
}

/** A form shown again after `err`: the typed values except `secret` ones, and the messages. */
export function failedForm(c: Ctx, err: AppError, values: Record<string, string>, secret: string[] = []): FormState {
  if (err.retryAfter) c.header("retry-after", String(err.retryAfter));
  const kept = Object.fromEntries(Object.entries(values).filter(([k]) => !secret.includes(k)));
  // A stale list cursor is said in the summary (errorMessage), not as a field nobody typed.
  return { values: kept, errors: err.fields?.cursor ? {} : { ...err.fields }, summary: errorMessage(err) };
}

/**
 * A page of a list read from a link's cursor. A cursor the list did not make (an old bookmark,
 * a link from before an upgrade) gives the first page instead, and `stale` says so.
 */
export function fromCursor<T>(read: (cursor: string | undefined) => T, cursor: string | undefined): { page: T; stale: boolean } {
  try {
    return { page: read(cursor), stale: false };
  } catch (e) {
    if (!cursor || !isAppError(e) || !e.fields?.cursor) throw e;
    return { page: read(undefined), stale: true };
  }
}

/** A page-only check (two password fields that differ): the same shape as a service's field error. */
export const mismatch = (field: string): AppError => new AppError("validation_failed", { [field]: "password.mismatch" });
