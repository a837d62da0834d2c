import { Alert, Field, FormMessages, hxForm, Submit } from "../components/form.js";
import type { FormState, View } from "../view.js";


/**
 * Password change: the current password, the new one twice. Ends every other
 * session. `mustChange`: the account must choose a new one first; the notice
 * sits here, where the log-in leads (#password), not at the top of the page,
 * and leaves with the section once the password is changed.
 */
export function PasswordSection({ v, state, userId, mustChange = false }: { v: View; state: FormState; userId: string; mustChange?: boolean }) {
  const t = v.t;
  return (
    <section id="password" class="card" aria-labelledby="password-title">
      <h2 id="password-title">{t("account.password.title")}</h2>
      {mustChange && <Alert v={v} kind="info" msg={{ key: "account.mustChangePassword" }} />}
      <p class="hint">{t("account.password.intro")}</p>
      <form {...hxForm("/account/password", "#password")} class="stack">
        <FormMessages v={v} state={state} fields={{ currentPassword: t("form.currentPassword"), newPassword: t("form.newPassword"), newPasswordConfirm: t("form.newPasswordConfirm") }} />
        {/* A hidden username lets password managers file the new password under the right account. */}
        <input type="text" name="username" value={userId} autocomplete="username" hidden />
        <Field v={v} state={state} name="currentPassword" type="password" label={t("form.currentPassword")} required autocomplete="current-password" />
        <Field v={v} state={state} name="newPassword" type="password" label={t("form.newPassword")} required autocomplete="new-password" hint={t("form.passwordHint")} />
        <Field v={v} state={state} name="newPasswordConfirm" type="password" label={t("form.newPasswordConfirm")} required autocomplete="new-password" />
        <div class="actions">
          <Submit label={t("account.password.submit")} />
        </div>
      </form>
    </section>
  );
}

/** Email change: the new address and the password; the new address gets a link. */
export function EmailSection({ v, state, email }: { v: View; state: FormState; email: string | null }) {
  const t = v.t;
  return (
    <section id="email" class="card" aria-labelledby="email-title">
      <h2 id="email-title">{t("account.email.title")}</h2>
      <p class="hint">{email ? t("account.email.current", { email }) : t("account.email.none")}</p>
      <form {...hxForm("/account/email", "#email")} class="stack">
        <FormMessages v={v} state={state} fields={{ newEmail: t("account.email.newEmail"), password: { label: t("form.password"), id: "email-password" } }} />
        <Field v={v} state={state} name="newEmail" type="email" label={t("account.email.newEmail")} required autocomplete="email" />
        <Field v={v} state={state} id="email-password" name="password" type="password" label={t("form.password")} required autocomplete="current-password" />
        <div class="actions">
          <Submit label={t("account.email.submit")} />
        </div>
      </form>
    </section>
  );
}
