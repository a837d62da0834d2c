import { Alert, Checkbox, Field, FormMessages, Submit } from "../components/form.js";
import type { FormState, Message, View } from "../view.js";


/**
 * The registration form. On a server with no accounts it also asks for the
 * organization's name and whether to claim the email's domain (SPEC §3).
 */
export function RegisterPage({ v, first, state, refused, note }: { v: View; first: boolean; state: FormState; refused?: Message; note?: Message }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="register-title">
      <h1 id="register-title">{t(first ? "page.register.firstTitle" : "page.register.title")}</h1>
      {first && <p class="lead">{t("page.register.firstIntro")}</p>}
      {refused ? (
        <Alert v={v} kind="info" msg={refused} />
      ) : (
        <form method="post" action="/register" class="stack">
          {note && <p class="hint">{t(note.key)}</p>}
          <FormMessages
            v={v}
            state={state}
            fields={{
              ...(first ? { organizationName: t("page.register.organizationName") } : {}),
              email: t("form.email"),
              password: t("form.password"),
              userId: t("form.userId"),
              nickname: t("form.nickname"),
              ...(first ? { claimDomain: t("page.register.claimDomain") } : {}),
            }}
          />
          {first && <input type="hidden" name="first" value="1" />}
          {first && <Field v={v} state={state} name="organizationName" label={t("page.register.organizationName")} required autocomplete="organization" maxlength={100} />}
          <Field v={v} state={state} name="email" type="email" label={t("form.email")} required autocomplete="email" />
          <Field v={v} state={state} name="password" type="password" label={t("form.password")} required autocomplete="new-password" hint={t("form.passwordHint")} />
          <Field v={v} state={state} name="userId" label={t("form.userId")} autocomplete="username" hint={t("page.register.userIdHint")} maxlength={32} />
          <Field v={v} state={state} name="nickname" label={t("form.nickname")} autocomplete="nickname" maxlength={64} />
          {first && <Checkbox v={v} state={state} name="claimDomain" label={t("page.register.claimDomain")} hint={t("page.register.claimDomainHint")} />}
          <Submit label={t(first ? "page.register.submitFirst" : "page.register.submit")} />
        </form>
      )}
      <p class="aside">
        {t("page.register.haveAccount")} <a href="/login">{t("nav.login")}</a>
      </p>
    </section>
  );
}
