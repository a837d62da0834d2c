import { Hono } from "hono";
import { mailStatuses, type MailStatus } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import { getMail, listMail, mailHealth, retryMail, sendTestMail } from "../../mail/admin.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { AdminMailPage, MailCounts, TestMailSection, type TestResult } from "../../../views/pages/admin-mail.js";
import { AdminMailDetailPage, type RawShown } from "../../../views/pages/admin-mail-detail.js";
import { mailHref, mailPath, MailResults, MailRow, MailRows, type MailPage, type MailQuery } from "../../../views/partials/admin-mail-table.js";
import { formState, type FormState } from "../../../views/view.js";
import { adminPage, doneNotice, requireAdmin } from "./admin-org-common.js";
import { attempt, errorMessage, failedForm, formBody, go, isHx } from "./render.js";

const PAGE_SIZE = 50;
/** Enough of a relayed message to read its headers and text; a 10 MB attachment is not for a page. */
const RAW_SHOWN = 200 * 1024;
const notices = { retried: "admin.mail.retried" };
const section = { current: "/admin/mail", title: "admin.mail.title" };

/**
 * The mail's own HTML, framed. Its own policy replaces the app's (the app's
 * secureHeaders keeps a route's headers): no script, no request to us, no
 * origin (`sandbox`), framed only by our pages.
 */
const FRAME_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; frame-ancestors 'self'; sandbox",
  "x-frame-options": "SAMEORIGIN",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
};

/** The queue's filters from the URL; an unknown state reads as no filter. */
function mailQuery(c: Ctx): MailQuery {
  const status = (c.req.query("status") ?? "").trim();
  return { status: mailStatuses.includes(status as MailStatus) ? status : "", to: (c.req.query("to") ?? "").trim().slice(0, 254) };
}

async function search(c: Ctx, user: PageUser, q: MailQuery) {
  const cursor = c.req.query("cursor") || undefined;
  const from = Math.max(0, Math.min(Number.parseInt(c.req.query("from") ?? "0", 10) || 0, 10_000_000));
  const query = { ...(q.status ? { status: q.status } : {}), ...(q.to ? { to: q.to } : {}), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
  const r = await attempt(c, () => listMail(c.get("deps"), user.account, query));
  const page: MailPage = r.ok ? { ...r.value, from: cursor ? from : 0 } : { items: [], nextCursor: null, total: 0, from: 0 };
  return { page, err: r.ok ? undefined : r.err };
}

async function listPage(c: Ctx, user: PageUser, o: { test?: FormState; testResult?: TestResult; canOpen?: boolean; status?: number; here?: string } = {}) {
  const deps = c.get("deps");
  const q = mailQuery(c);
  const { page, err } = await search(c, user, q);
  const counts = mailHealth(deps, user.account).counts;
  const capture = deps.config.mail.transport === "capture";
  const test = o.test ?? formState({ to: user.account.email ?? "" });
  return adminPage(c, user, {
    ...section,
    captureBanner: true,
    here: o.here,
    status: o.status ?? err?.status,
    body: (v) => <AdminMailPage v={v} capture={capture} counts={counts} q={q} page={page} test={test} testResult={o.testResult} canOpen={o.canOpen} notice={doneNotice(c, notices)} listError={err && errorMessage(err)} />,
    fragment: (v) => <MailResults v={v} q={q} page={page} />,
  });
}

/** Links to this server in a mail's text, once each: what an admin hands over in capture mode. */
export function linksIn(text: string, baseUrl: string): string[] {
  const base = baseUrl.replace(/\/+$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const found = text.match(new RegExp(`${base}/[^\\s<>"'\`]*`, "g")) ?? [];
  return [...new Set(found.map((l) => l.replace(/[.,;:!?)\]]+$/, "")))].slice(0, 20);
}

function rawShown(raw: string, total: number): RawShown {
  const bytes = Buffer.from(raw, "utf8");
  return { text: bytes.subarray(0, RAW_SHOWN).toString("utf8"), bytes: total, truncated: total > RAW_SHOWN };
}

/** Links in the frame must not act as the admin: with no popups allowed (sandbox), a `_blank` link does nothing. */
function framed(html: string): string {
  const base = '<base target="_blank">';
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (!head) return base + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + base + html.slice(at);
}

/** /admin/mail: the outbound queue (SPEC §5), one message in full, retry and a test mail. */
export const adminMailPages = new Hono<AppEnv>()
  .get("/admin/mail", async (c) => {
    const user = requireAdmin(c);
    // The history gets the canonical URL of the filters — except when the results reload themselves.
    if (isHx(c) && c.req.header("hx-trigger") !== "mail-results") c.header("hx-push-url", mailHref(mailQuery(c)));
    return listPage(c, user);
  })
  .get("/admin/mail/rows", async (c) => {
    const user = requireAdmin(c);
    const q = mailQuery(c);
    // A browser without htmx asked for rows alone: show it the page they belong to.
    if (!isHx(c)) return go(c, mailHref(q, { cursor: c.req.query("cursor") ?? "", from: c.req.query("from") ?? "0" }));
    const { page, err } = await search(c, user, q);
    if (err) throw err;
    return adminPage(c, user, { ...section, body: (v) => <MailRows v={v} q={q} page={page} /> });
  })
  .get("/admin/mail/counts", (c) => {
    const user = requireAdmin(c);
    if (!isHx(c)) return go(c, "/admin/mail");
    const counts = mailHealth(c.get("deps"), user.account).counts;
    const capture = c.get("deps").config.mail.transport === "capture";
    return adminPage(c, user, { ...section, body: (v) => <MailCounts v={v} counts={counts} current={mailQuery(c).status} capture={capture} /> });
  })
  .post("/admin/mail/test", async (c) => {
    const user = requireAdmin(c);
    const to = ((await formBody(c)).to ?? "").trim();
    // Waits (up to 15 s) for the first attempt: the answer is shown in place, never redirected to.
    const r = await attempt(c, () => sendTestMail(c.get("deps"), user.account, to ? { to } : {}, c.get("meta")));
    const state = r.ok ? formState({ to }) : failedForm(c, r.err, { to });
    const result = r.ok ? r.value : undefined;
    const canOpen = result ? (await attempt(c, () => getMail(c.get("deps"), user.account, result.id))).ok : false;
    const status = r.ok ? 200 : r.err.status;
    if (!isHx(c)) return listPage(c, user, { test: state, testResult: result, canOpen, status, here: "/admin/mail" });
    if (r.ok) c.header("hx-trigger", "mail-changed");
    return adminPage(c, user, { ...section, status, body: (v) => <TestMailSection v={v} state={state} result={result} canOpen={canOpen} /> });
  })
  .get("/admin/mail/:id", (c) => {
    const user = requireAdmin(c);
    const m = getMail(c.get("deps"), user.account, c.req.param("id"));
    const links = linksIn(m.text ?? "", c.get("deps").config.baseUrl);
    const raw = m.raw ? rawShown(m.raw, m.rawBytes ?? Buffer.byteLength(m.raw)) : null;
    return adminPage(c, user, {
      current: "/admin/mail",
      title: "admin.mail.detail.title",
      body: (v) => <AdminMailDetailPage v={v} m={m} links={links} raw={raw} notice={doneNotice(c, notices)} />,
    });
  })
  .get("/admin/mail/:id/html", (c) => {
    const user = requireAdmin(c);
    const m = getMail(c.get("deps"), user.account, c.req.param("id"));
    if (!m.html) throw new AppError("not_found");
    return c.body(framed(m.html), 200, FRAME_HEADERS);
  })
  .post("/admin/mail/:id/retry", async (c) => {
    const user = requireAdmin(c);
    const id = c.req.param("id");
    const back = (await formBody(c)).back === "detail" ? mailPath(id) : "/admin/mail";
    const r = await attempt(c, () => retryMail(c.get("deps"), user.account, id, c.get("meta")));
    // Sent or sending meanwhile (another admin, the worker): not an error, the row just shows where it is now.
    if (!r.ok && r.err.code !== "validation_failed") throw r.err;
    if (!isHx(c)) return go(c, r.ok ? `${back}?done=retried` : back);
    const now = getMail(c.get("deps"), user.account, id);
    c.header("hx-trigger", "mail-retried");
    return adminPage(c, user, { ...section, body: (v) => <MailRow v={v} m={now} /> });
  });
