import { Alert, Field, FormMessages, Submit } from "../components/form.js";
import type { FormState, Message, View } from "../view.js";
import { ResendForm } from "./verify.js";

/**
 * Log in with email or user ID. When the answer is `email_not_verified`,
 * the page offers to send the confirmation mail again.
 */
export function LoginPage({ v, state, next, notice, resend, canRegister = true }: { v: View; state: FormState; next: string; notice?: Message; resend?: { email?: string }; canRegister?: boolean }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="login-title">
      <h1 id="login-title">{t("page.login.title")}</h1>
      {notice && <Alert v={v} kind="ok" msg={notice} />}
      <form method="post" action="/login" class="stack">
        <FormMessages v={v} state={state} fields={{ login: t("page.login.login"), password: t("form.password") }} />
        <input type="hidden" name="next" value={next} />
        <Field v={v} state={state} name="login" label={t("page.login.login")} required autocomplete="username" hint={t("page.login.loginHint")} />
        <Field v={v} state={state} name="password" type="password" label={t("form.password")} required autocomplete="current-password" />
        <Submit label={t("page.login.submit")} />
      </form>
      {resend && (
        <div class="aside">
          <p>{t("page.login.resendIntro")}</p>
          <ResendForm v={v} email={resend.email} />
        </div>
      )}
      <p class="aside links">
        <a href="/forgot-password">{t("page.login.forgot")}</a>
        {canRegister && <a href="/register">{t("page.login.register")}</a>}
      </p>
    </section>
  );
}
