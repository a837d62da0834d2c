import { Alert, Field, FormMessages, Submit } from "../components/form.js";
import { formState, type FormState, type Message, type View } from "../view.js";

/** "Send the mail again" for a registration's confirmation; the answer never says whether the address has an account. */
export function ResendForm({ v, email, label, state }: { v: View; email?: string; label?: string; state?: FormState }) {
  return (
    <form method="post" action="/resend-verification" class="stack compact">
      {email !== undefined ? (
        <input type="hidden" name="email" value={email} />
      ) : (
        <Field v={v} state={state ?? formState()} id="resend-email" name="email" type="email" label={v.t("form.email")} required autocomplete="email" />
      )}
      <Submit kind="secondary" label={label ?? v.t("page.verify.resend")} />
    </form>
  );
}

/** After registering: look for the mail, or type its 6-digit code here. */
export function CheckMailPage({ v, email, state }: { v: View; email: string; state: FormState }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="check-title">
      <h1 id="check-title">{t("page.verify.checkTitle")}</h1>
      <p class="lead">{t("page.verify.checkIntro", { email })}</p>
      <form method="post" action="/verify-email" class="stack">
        <FormMessages v={v} state={state} fields={{ code: t("page.verify.code") }} />
        <input type="hidden" name="email" value={email} />
        <Field v={v} state={state} name="code" label={t("page.verify.code")} required autocomplete="one-time-code" inputmode="numeric" maxlength={6} hint={t("page.verify.codeHint")} />
        <Submit label={t("page.verify.confirm")} />
      </form>
      <div class="aside">
        <p>{t("page.verify.noMail")}</p>
        <ResendForm v={v} email={email} />
      </div>
    </section>
  );
}

/** A registration created without confirmation (the server does not require it). */
export function RegisteredPage({ v, awaitingApproval }: { v: View; awaitingApproval: boolean }) {
  return (
    <section class="card narrow">
      <h1>{v.t("page.register.doneTitle")}</h1>
      <p class="lead">{v.t(awaitingApproval ? "page.verify.awaitingApproval" : "page.register.doneLogin")}</p>
      {!awaitingApproval && (
        <a class="btn btn-primary" href="/login">
          {v.t("nav.login")}
        </a>
      )}
    </section>
  );
}

/**
 * What a confirmation link opens: the address it confirms and a button. Opening the link
 * changes nothing (mail filters open every link in a mail); pressing Confirm does.
 */
export function ConfirmLinkPage({ v, kind, email, token }: { v: View; kind: "verify_email" | "email_change"; email: string; token: string }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="confirm-link-title">
      <h1 id="confirm-link-title">{t(kind === "email_change" ? "page.verify.linkTitleChange" : "page.verify.linkTitle")}</h1>
      <p class="lead">{t(kind === "email_change" ? "page.verify.linkIntroChange" : "page.verify.linkIntro", { email })}</p>
      <form method="post" action="/verify-email" class="stack">
        <input type="hidden" name="token" value={token} />
        <Submit label={t("page.verify.confirm")} />
      </form>
    </section>
  );
}

/** The link or the code was accepted. */
export function VerifiedPage({ v, kind, awaitingApproval, loggedIn }: { v: View; kind: "verify_email" | "email_change"; awaitingApproval: boolean; loggedIn: boolean }) {
  const t = v.t;
  const text = kind === "email_change" ? "page.verify.emailChanged" : awaitingApproval ? "page.verify.awaitingApproval" : "page.verify.doneLogin";
  return (
    <section class="card narrow" aria-labelledby="verified-title">
      <h1 id="verified-title">{t(kind === "email_change" ? "page.verify.emailChangedTitle" : "page.verify.doneTitle")}</h1>
      <Alert v={v} kind="ok" msg={{ key: text }} />
      {!awaitingApproval &&
        (loggedIn ? (
          <a class="btn btn-primary" href="/account">
            {t("nav.account")}
          </a>
        ) : (
          <a class="btn btn-primary" href="/login">
            {t("nav.login")}
          </a>
        ))}
    </section>
  );
}

/** Asks for the address to send a new confirmation mail to. */
export function ResendPage({ v, state }: { v: View; state: FormState }) {
  return (
    <section class="card narrow" aria-labelledby="resend-title">
      <h1 id="resend-title">{v.t("page.verify.resendTitle")}</h1>
      <p class="lead">{v.t("page.verify.resendIntro")}</p>
      <FormMessages v={v} state={state} fields={{ email: { label: v.t("form.email"), id: "resend-email" } }} />
      <ResendForm v={v} state={state} label={v.t("page.verify.sendNew")} />
      <p class="aside links">
        <a href="/login">{v.t("page.verify.backToLogin")}</a>
      </p>
    </section>
  );
}

/** An unknown, used or expired link: say so, and offer a new mail. */
export function BadLinkPage({ v, msg }: { v: View; msg: Message }) {
  return (
    <section class="card narrow" aria-labelledby="badlink-title">
      <h1 id="badlink-title">{v.t("page.verify.badLinkTitle")}</h1>
      <Alert v={v} kind="error" msg={msg} />
      <p>{v.t("page.verify.badLinkHelp")}</p>
      <ResendForm v={v} label={v.t("page.verify.sendNew")} />
      <p class="aside">
        <a href="/login">{v.t("nav.login")}</a>
      </p>
    </section>
  );
}
