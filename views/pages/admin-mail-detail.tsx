import type { getMail } from "../../server/mail/admin.js";
import { Alert } from "../components/form.js";
import { canRetry, kindLabel, lastAnswer, MailState, mailPath } from "../partials/admin-mail-table.js";
import { Time } from "../partials/sessions-section.js";
import type { Message, View } from "../view.js";
import { Fact } from "../components/fact.js";

export type FullMail = ReturnType<typeof getMail>;

/** The relayed message's source as shown: its first bytes, and its whole size. */
export interface RawShown {
  text: string;
  bytes: number;
  truncated: boolean;
}

function Headers({ v, m }: { v: View; m: FullMail }) {
  const t = v.t;
  // Captured mail has no mail server's reply: Delivery says "Captured" already.
  const answer = m.transport === "capture" ? null : lastAnswer(m);
  return (
    <section class="card" aria-labelledby="mail-headers-title">
      <h2 id="mail-headers-title">{t("admin.mail.detail.headers")}</h2>
      <div class="mail-headers">
        <dl>
          <Fact label={t("admin.mail.detail.from")}>
            <span class="mono">{m.from}</span>
          </Fact>
          <Fact label={t("admin.mail.detail.to")}>
            <span class="mono">{m.to}</span>
          </Fact>
          <Fact label={t("admin.mail.detail.subject")}>{m.subject || t("admin.mail.noSubject")}</Fact>
          <Fact label={t("admin.mail.detail.kind")}>{kindLabel(v, m.kind)}</Fact>
          <Fact label={t("admin.mail.detail.date")}>
            <Time iso={m.createdAt} lang={v.lang} />
          </Fact>
        </dl>
        <dl>
          <Fact label={t("admin.mail.detail.state")}>
            <MailState v={v} status={m.status} transport={m.transport} />
          </Fact>
          <Fact label={t("admin.mail.detail.attempts")}>{String(m.attempts)}</Fact>
          <Fact label={t("admin.mail.detail.transport")}>{t(`admin.mail.transport.${m.transport ?? "none"}`)}</Fact>
          {m.sentAt && m.status === "sent" && (
            // Captured mail was kept here then, not sent.
            <Fact label={t(m.transport === "capture" ? "admin.mail.detail.capturedAt" : "admin.mail.detail.sentAt")}>
              <Time iso={m.sentAt} lang={v.lang} />
            </Fact>
          )}
          {m.nextAttemptAt && (
            <Fact label={t("admin.mail.detail.next")}>
              <Time iso={m.nextAttemptAt} lang={v.lang} />
            </Fact>
          )}
        </dl>
      </div>
      {answer && (
        <div class="mail-last">
          <p class="mail-last-label">{t(m.status === "sent" ? "admin.mail.detail.lastReply" : "admin.mail.detail.lastError")}</p>
          <pre class="mail-pre mail-pre-short">{answer}</pre>
        </div>
      )}
      {canRetry(m.status) && (
        <form method="post" action={`${mailPath(m.id)}/retry`} class="actions">
          <input type="hidden" name="back" value="detail" />
          <button type="submit" class="btn btn-primary">
            {t("admin.mail.retry")}
          </button>
        </form>
      )}
    </section>
  );
}

/**
 * Links to this server, each with a Copy button: an admin hands them over
 * (capture mode) rather than opening them, which would use the token in the
 * admin's own browser.
 */
function Links({ v, links }: { v: View; links: string[] }) {
  const t = v.t;
  return (
    <section class="card" aria-labelledby="mail-links-title">
      <h2 id="mail-links-title">{t("admin.mail.detail.links")}</h2>
      <p class="hint">{t("admin.mail.detail.linksHint")}</p>
      <div class="stack compact">
        {links.map((link, i) => (
          <div class="field">
            <label for={`mail-link-${i}`} class="vh">
              {t("admin.mail.detail.link", { n: i + 1 })}
            </label>
            <div class="copy-field">
              <input id={`mail-link-${i}`} type="text" value={link} readonly class="mono" autocomplete="off" spellcheck={false} />
              <button type="button" class="btn btn-secondary js-only" data-copy={`#mail-link-${i}`} data-copied={t("admin.mail.detail.copied")}>
                {t("admin.mail.detail.copy")}
              </button>
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}

/** The HTML part in a frame that runs nothing and reaches nothing of ours (its own CSP, `sandbox`). */
function HtmlPart({ v, m }: { v: View; m: FullMail }) {
  return (
    <section class="card" aria-labelledby="mail-html-title">
      <h2 id="mail-html-title">{v.t("admin.mail.detail.html")}</h2>
      <p class="hint">{v.t("admin.mail.detail.htmlHint")}</p>
      <iframe class="mail-frame" sandbox="" src={`${mailPath(m.id)}/html`} referrerpolicy="no-referrer" title={v.t("admin.mail.detail.frameTitle")}></iframe>
    </section>
  );
}

function RawPart({ v, raw }: { v: View; raw: RawShown }) {
  return (
    <section class="card" aria-labelledby="mail-raw-title">
      <h2 id="mail-raw-title">{v.t("admin.mail.detail.raw")}</h2>
      <p class="hint">{v.t("admin.mail.detail.rawHint")}</p>
      {raw.truncated && <p class="hint">{v.t("admin.mail.detail.rawTruncated", { size: Math.ceil(raw.bytes / 1024) })}</p>}
      <pre class="mail-pre mail-raw">{raw.text}</pre>
    </section>
  );
}

/** One message in full: headers and state, the links to hand over, the text, and the HTML or the relayed source. */
export function AdminMailDetailPage({ v, m, links, raw, notice }: { v: View; m: FullMail; links: string[]; raw: RawShown | null; notice?: Message }) {
  const t = v.t;
  return (
    <div class="mail-detail">
      <p class="ao-back">
        <a href="/admin/mail">{t("admin.mail.detail.back")}</a>
      </p>
      <header class="ao-heading">
        {/* In the mail's own language: a screen reader reads a Japanese subject with a Japanese voice on an English page. */}
        <h1 lang={m.subject ? (m.language ?? undefined) : undefined}>{m.subject || t("admin.mail.noSubject")}</h1>
        <p class="badges">
          <MailState v={v} status={m.status} transport={m.transport} /> <span class="muted">{kindLabel(v, m.kind)}</span>
        </p>
      </header>
      {notice && <Alert v={v} kind="ok" msg={notice} />}
      <Headers v={v} m={m} />
      {links.length > 0 && <Links v={v} links={links} />}
      {(m.text || !raw) && (
        <section class="card" aria-labelledby="mail-text-title">
          <h2 id="mail-text-title">{t("admin.mail.detail.text")}</h2>
          {/* Plain text, never auto-linked: a click would use the mail's token as the admin. */}
          {m.text ? <pre class="mail-pre mail-text" lang={m.language ?? undefined}>{m.text}</pre> : <p class="muted">{t("admin.mail.detail.noText")}</p>}
        </section>
      )}
      {m.html && <HtmlPart v={v} m={m} />}
      {raw && <RawPart v={v} raw={raw} />}
    </div>
  );
}
