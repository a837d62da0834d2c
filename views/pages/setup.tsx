import { Alert, Field, FormMessages, Submit } from "../components/form.js";
import type { FormState, Message, View } from "../view.js";

/** An admin created the account: its person chooses a password (twice) to start using it. */
export function SetupPage({ v, token, userId, organization, state }: { v: View; token: string; userId: string; organization: string | null; state: FormState }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="setup-title">
      <h1 id="setup-title">{t("setup.title")}</h1>
      <p class="lead">{organization ? t("setup.intro", { organization }) : t("setup.introPersonal")}</p>
      <dl class="facts setup-facts">
        <div>
          <dt>{t("form.userId")}</dt>
          <dd class="mono" id="setup-user-id">
            {userId}
          </dd>
        </div>
      </dl>
      <form method="post" action="/setup" class="stack">
        <FormMessages v={v} state={state} fields={{ password: t("form.password"), passwordConfirm: t("setup.passwordConfirm") }} />
        <input type="hidden" name="token" value={token} />
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" value={userId} autocomplete="username" hidden />
        <Field v={v} state={state} name="password" type="password" label={t("form.password")} required autocomplete="new-password" hint={t("form.passwordHint")} />
        <Field v={v} state={state} name="passwordConfirm" type="password" label={t("setup.passwordConfirm")} required autocomplete="new-password" />
        <Submit label={t("setup.submit")} />
      </form>
    </section>
  );
}

/** A used, expired or unknown setup link. */
export function SetupBadLinkPage({ v, msg }: { v: View; msg: Message }) {
  return (
    <section class="card narrow" aria-labelledby="setup-bad-title">
      <h1 id="setup-bad-title">{v.t("setup.badLinkTitle")}</h1>
      <Alert v={v} kind="error" msg={msg} />
      <p>{v.t("setup.badLinkHelp")}</p>
      <p class="aside links">
        <a href="/login">{v.t("nav.login")}</a>
        <a href="/forgot-password">{v.t("page.login.forgot")}</a>
      </p>
    </section>
  );
}
