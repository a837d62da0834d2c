import type { mailHealth, sendTestMail } from "../../server/mail/admin.js";
import { mailStatuses } from "../../server/db/schema.js";
import { Alert, Field, FormMessages, hxForm, Submit } from "../components/form.js";
import { AdminHeading } from "../partials/admin-org-parts.js";
import { CaptureBanner } from "../partials/admin-mail-banner.js";
import { lastAnswer, MailFilters, mailPath, MailResults, type MailPage, type MailQuery } from "../partials/admin-mail-table.js";
import { fmt } from "../partials/admin-users-table.js";
import type { FormState, Message, View } from "../view.js";

export type MailCountsData = ReturnType<typeof mailHealth>["counts"];
export type TestResult = Awaited<ReturnType<typeof sendTestMail>>;

/**
 * How many messages are in each state, each a link to the queue filtered by
 * it. Reloads itself after a retry or a test mail. `capture`: nothing leaves
 * the server, so what went through was kept, and the "sent" tile says so, as
 * each of its rows and the dashboard do.
 */
export function MailCounts({ v, counts, current, capture = false }: { v: View; counts: MailCountsData; current: string; capture?: boolean }) {
  const total = mailStatuses.reduce((n, s) => n + counts[s], 0);
  const tile = (status: string, label: string, n: number) => {
    const tone = n > 0 && status === "failed" ? " tile-bad" : n > 0 && status === "deferred" ? " tile-warn" : "";
    const here = status === current;
    return (
      <li class={`tile${tone}`}>
        <a href={status ? `/admin/mail?status=${status}` : "/admin/mail"} aria-current={here ? "true" : undefined}>
          <span class="tile-n">{fmt(v, n)}</span>
          <span class="tile-label">{label}</span>
        </a>
      </li>
    );
  };
  return (
    <section id="mail-counts" class="mail-counts" aria-label={v.t("admin.mail.counts")} hx-get={`/admin/mail/counts${current ? `?status=${current}` : ""}`} hx-trigger="mail-changed from:body, mail-retried from:body" hx-swap="outerHTML">
      <ul class="tiles tiles-small">
        {tile("", v.t("admin.mail.counts.all"), total)}
        {mailStatuses.map((s) => tile(s, v.t(`admin.mail.status.${s === "sent" && capture ? "captured" : s}`), counts[s]))}
      </ul>
    </section>
  );
}

/** The upstream's answer to a test mail, in place: accepted, refused, retrying, or nothing yet. */
function TestOutcome({ v, r, canOpen }: { v: View; r: TestResult; canOpen: boolean }) {
  const params = { to: r.to, state: v.t(`admin.mail.status.${r.status}`) };
  const outcome = r.status === "sent" ? (r.transport === "capture" ? "captured" : "sent") : r.status === "failed" ? "failed" : r.status === "deferred" ? "deferred" : "waiting";
  const kind = outcome === "failed" ? "error" : outcome === "sent" || outcome === "captured" ? "ok" : "info";
  // Captured mail has no mail server to answer: the message says so already.
  const answer = r.transport === "capture" ? null : lastAnswer(r);
  return (
    <Alert v={v} kind={kind} msg={{ key: `admin.mail.test.${outcome}`, params }}>
      {answer && (
        <p class="mail-test-answer">
          <span>{v.t("admin.mail.test.answer")}</span> <code class="mono">{answer}</code>
        </p>
      )}
      {canOpen && (
        <p>
          <a href={mailPath(r.id)}>{v.t("admin.mail.test.open")}</a>
        </p>
      )}
    </Alert>
  );
}

/**
 * "Send a test mail": the answer comes back into this section (htmx), or as
 * the page without JavaScript. `canOpen`: the message is in this admin's
 * queue (mail to an address outside their organization is not).
 */
export function TestMailSection({ v, state, result, canOpen = false }: { v: View; state: FormState; result?: TestResult; canOpen?: boolean }) {
  const t = v.t;
  return (
    <section id="mail-test" class="card" aria-labelledby="mail-test-title">
      <h2 id="mail-test-title">{t("admin.mail.test.title")}</h2>
      {result && <TestOutcome v={v} r={result} canOpen={canOpen} />}
      <FormMessages v={v} state={state} fields={{ to: { label: t("admin.mail.test.to"), id: "mail-test-to" } }} />
      <form {...hxForm("/admin/mail/test", "#mail-test")} class="ao-inline-create mail-test-form">
        <Field v={v} state={state} id="mail-test-to" name="to" type="email" label={t("admin.mail.test.to")} required maxlength={254} autocomplete="email" hint={t("admin.mail.test.toHint")} />
        <Submit label={t("admin.mail.test.send")} />
      </form>
    </section>
  );
}

export function AdminMailPage(p: { v: View; capture: boolean; counts: MailCountsData; q: MailQuery; page: MailPage; test: FormState; testResult?: TestResult; canOpen?: boolean; notice?: Message; listError?: Message }) {
  const { v } = p;
  return (
    <>
      <AdminHeading v={v} title="admin.mail.title" intro="admin.mail.intro" />
      {p.capture && <CaptureBanner v={v} />}
      {p.notice && <Alert v={v} kind="ok" msg={p.notice} />}
      <MailCounts v={v} counts={p.counts} current={p.q.status} capture={p.capture} />
      <TestMailSection v={v} state={p.test} result={p.testResult} canOpen={p.canOpen} />
      <section class="card" aria-labelledby="mail-queue-title">
        <h2 id="mail-queue-title">{v.t("admin.mail.queue")}</h2>
        {p.listError && <Alert v={v} kind="error" msg={p.listError} />}
        <MailFilters v={v} q={p.q} capture={p.capture} />
        <MailResults v={v} q={p.q} page={p.page} />
      </section>
    </>
  );
}
