import type { describeInvitation } from "../../server/organizations/accept.js";
import { Alert, Field, FormMessages, Submit } from "../components/form.js";
import type { FormState, View } from "../view.js";

export type InvitationView = ReturnType<typeof describeInvitation>;

const action = (inv: { token: string }, rest = "") => `/invite/${encodeURIComponent(inv.token)}${rest}`;
export type Invite = InvitationView & { token: string };

/** Who invites, into what, and the administrator's own words if they wrote any. */
export function InviteIntro({ v, inv }: { v: View; inv: Invite }) {
  const t = v.t;
  return (
    <>
      <p class="eyebrow">{t("invite.eyebrow")}</p>
      <h1 id="invite-title">{t("invite.title", { organization: inv.organization.name })}</h1>
      <p class="lead">{t(inv.type === "admin" ? "invite.introAdmin" : "invite.intro", { email: inv.email, organization: inv.organization.name })}</p>
      {inv.message && (
        <blockquote class="invite-message">
          <p class="hint">{t("invite.messageFrom")}</p>
          <p>{inv.message}</p>
        </blockquote>
      )}
    </>
  );
}

/** No account has the address yet: choose a user ID, a nickname and a password. */
export function InviteNewAccountPage({ v, inv, state, loggedInAs }: { v: View; inv: Invite; state: FormState; loggedInAs?: string }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="invite-title">
      <InviteIntro v={v} inv={inv} />
      <p>{t("invite.newAccount")}</p>
      {loggedInAs && <Alert v={v} kind="info" msg={{ key: "invite.newWhileLoggedIn", params: { name: loggedInAs } }} />}
      <form method="post" action={action(inv)} class="stack">
        <FormMessages v={v} state={state} fields={{ userId: t("form.userId"), nickname: t("form.nickname"), password: t("form.password") }} />
        <div class="field">
          <span class="invite-label">{t("form.email")}</span>
          <span class="invite-email">{inv.email}</span>
        </div>
        <Field v={v} state={state} name="userId" label={t("form.userId")} required autocomplete="username" maxlength={32} hint={t("invite.userIdHint")} />
        <Field v={v} state={state} name="nickname" label={t("form.nickname")} autocomplete="nickname" maxlength={64} />
        <Field v={v} state={state} name="password" type="password" label={t("form.password")} required autocomplete="new-password" hint={t("form.passwordHint")} />
        <Submit label={t("invite.createSubmit")} />
      </form>
    </section>
  );
}

/** A personal account has the address: log in with its current password, right here. */
export function InviteLoginPage({ v, inv, state }: { v: View; inv: Invite; state: FormState }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="invite-title">
      <InviteIntro v={v} inv={inv} />
      <p>{t("invite.loginIntro", { email: inv.email })}</p>
      <form method="post" action={action(inv, "/login")} class="stack">
        <FormMessages v={v} state={state} fields={{ login: t("page.login.login"), password: t("form.currentPassword") }} />
        <Field v={v} state={state} name="login" label={t("page.login.login")} required autocomplete="username" />
        <Field v={v} state={state} name="password" type="password" label={t("form.currentPassword")} required autocomplete="current-password" />
        <Submit label={t("invite.loginSubmit")} />
      </form>
      <p class="aside">
        <a href="/forgot-password">{t("page.login.forgot")}</a>
      </p>
    </section>
  );
}

/** Logged in as the invited personal account: what moving means, and the button that does it. */
export function InviteConfirmMovePage({ v, inv, state }: { v: View; inv: Invite; state: FormState }) {
  const t = v.t;
  const organization = inv.organization.name;
  return (
    <section class="card narrow invite-confirm" aria-labelledby="invite-title">
      <InviteIntro v={v} inv={inv} />
      <FormMessages v={v} state={state} fields={[]} />
      <div class="invite-move">
        <p>
          <strong>{t("invite.moveTitle", { organization })}</strong>
        </p>
        <ul>
          <li>{t("invite.moveSame")}</li>
          <li>{t("invite.moveAdmins", { organization })}</li>
          <li>{t("invite.moveDirectory", { organization })}</li>
        </ul>
      </div>
      <form method="post" action={action(inv, "/accept")} class="actions">
        <Submit label={t("invite.register")} />
        <a href="/account">{t("invite.notNow")}</a>
      </form>
    </section>
  );
}
