import { Alert, Field, FormMessages, Submit } from "../components/form.js";
import type { FormState, Message, View } from "../view.js";

export function ForgotPasswordPage({ v, state }: { v: View; state: FormState }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t("page.forgot.title")}</h1>
      {state.notice ? (
        <Alert v={v} kind="ok" msg={state.notice} />
      ) : (
        <>
          <p class="lead">{t("page.forgot.intro")}</p>
          <form method="post" action="/forgot-password" class="stack">
            <FormMessages v={v} state={state} fields={{ email: t("form.email") }} />
            <Field v={v} state={state} name="email" type="email" label={t("form.email")} required autocomplete="email" />
            <Submit label={t("page.forgot.submit")} />
          </form>
        </>
      )}
      <p class="aside">
        <a href="/login">{t("nav.login")}</a>
      </p>
    </section>
  );
}

export function ResetPasswordPage({ v, token, state }: { v: View; token: string; state: FormState }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="reset-title">
      <h1 id="reset-title">{t("page.reset.title")}</h1>
      <p class="lead">{t("page.reset.intro")}</p>
      <form method="post" action="/reset-password" class="stack">
        <FormMessages v={v} state={state} fields={{ password: t("form.newPassword"), passwordConfirm: t("form.newPasswordConfirm") }} />
        <input type="hidden" name="token" value={token} />
        <Field v={v} state={state} name="password" type="password" label={t("form.newPassword")} required autocomplete="new-password" hint={t("form.passwordHint")} />
        <Field v={v} state={state} name="passwordConfirm" type="password" label={t("form.newPasswordConfirm")} required autocomplete="new-password" />
        <Submit label={t("page.reset.submit")} />
      </form>
    </section>
  );
}

export function ResetBadLinkPage({ v, msg }: { v: View; msg: Message }) {
  return (
    <section class="card narrow" aria-labelledby="reset-bad-title">
      <h1 id="reset-bad-title">{v.t("page.reset.title")}</h1>
      <Alert v={v} kind="error" msg={msg} />
      <a class="btn btn-primary" href="/forgot-password">
        {v.t("page.reset.requestNew")}
      </a>
    </section>
  );
}
