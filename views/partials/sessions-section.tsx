import type { SessionView } from "../../server/accounts/my-sessions.js";
import type { Lang } from "../../server/i18n/index.js";
import { FormMessages, hxForm } from "../components/form.js";
import type { FormState, View } from "../view.js";

/** A time in UTC for readers without JavaScript; app.js rewrites it in the reader's own time zone. */
export function Time({ iso, lang }: { iso: string; lang: Lang }) {
  const d = new Date(iso);
  const text = new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(d);
  return (
    <time datetime={iso} data-local="">
      {`${text} UTC`}
    </time>
  );
}

/** Every device logged in to the account; the current one marked, the others each with an End button. */
export function SessionsSection({ v, sessions, state, oob }: { v: View; sessions: SessionView[]; state: FormState; oob?: boolean }) {
  const t = v.t;
  const others = sessions.filter((s) => !s.current).length;
  return (
    <section id="sessions" class="card" aria-labelledby="sessions-title" hx-swap-oob={oob ? "true" : undefined}>
      <h2 id="sessions-title">{t("account.sessions.title")}</h2>
      <FormMessages v={v} state={state} fields={[]} />
      <ul class="sessions">
        {sessions.map((s) => (
          <li class={s.current ? "session-item current" : "session-item"}>
            <div class="session-main">
              <strong class="device">{s.device}</strong>
              {s.current && <span class="badge">{t("account.sessions.current")}</span>}
            </div>
            <dl class="session-meta">
              <div>
                <dt>{t("account.sessions.ip")}</dt>
                <dd>{s.ip}</dd>
              </div>
              <div>
                <dt>{t("account.sessions.created")}</dt>
                <dd>
                  <Time iso={s.createdAt} lang={v.lang} />
                </dd>
              </div>
              <div>
                <dt>{t("account.sessions.lastUsed")}</dt>
                <dd>
                  <Time iso={s.lastUsedAt} lang={v.lang} />
                </dd>
              </div>
            </dl>
            {!s.current && (
              <form {...hxForm(`/account/sessions/${encodeURIComponent(s.id)}/end`, "#sessions")} class="session-end">
                <button type="submit" class="btn btn-secondary" aria-label={t("account.sessions.endLabel", { device: s.device })}>
                  {t("account.sessions.end")}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 && (
        <form {...hxForm("/account/sessions/others", "#sessions")} class="actions">
          <button type="submit" class="btn btn-danger">
            {t("account.sessions.endOthers")}
          </button>
        </form>
      )}
    </section>
  );
}
