import type { Child } from "hono/jsx";
import type { CreateResult } from "../../server/admin/user-actions.js";
import { Alert, Field, FormMessages, hxForm, Select, Submit, type ShownField } from "../components/form.js";
import type { OrgOption } from "../pages/admin-users.js";
import type { FormState, View } from "../view.js";
import { SetupLinkField } from "./setup-link.js";
import { languageOptions } from "./profile-section.js";

/** The create form's fields in its order, with their labels, for the error summary's links. */
function createFieldLabels(v: View, orgs: boolean): Record<string, ShownField> {
  const t = v.t;
  return {
    type: { label: t("admin.users.col.type"), id: "f-type-general" },
    userId: t("form.userId"),
    nickname: t("form.nickname"),
    groupName: t("account.profile.groupName"),
    email: t("form.email"),
    password: t("form.password"),
    avatarUrl: t("account.profile.avatarUrl"),
    language: t("account.profile.language"),
    ...(orgs ? { organizationId: t("admin.users.col.organization") } : {}),
  };
}

/** The form's first question; its chosen radio button takes the focus when the dialog opens. */
function TypeChoice({ v, state }: { v: View; state: FormState }) {
  const current = state.values.type || "general";
  const error = state.errors.type;
  return (
    <fieldset class={error ? "field choice invalid" : "field choice"} aria-describedby={error ? "f-type-error" : undefined}>
      <legend>{v.t("admin.users.col.type")}</legend>
      {(["general", "admin"] as const).map((type) => (
        <label class="choice-item">
          <input type="radio" id={`f-type-${type}`} name="type" value={type} checked={current === type} autofocus={current === type} aria-invalid={error ? "true" : undefined} />
          <span>
            <strong>{v.t(`account.type.${type}`)}</strong>
            <span class="hint">{v.t(`admin.create.typeHint.${type}`)}</span>
          </span>
        </label>
      ))}
      {error && (
        <p class="field-error" id="f-type-error">
          {v.t(error)}
        </p>
      )}
    </fieldset>
  );
}

/** What the admin hands over, once: where the person goes next. */
function Outcome({ v, result }: { v: View; result: CreateResult }) {
  const u = result.user;
  const params = { userId: u.userId, email: u.email ?? "" };
  return (
    <div class="stack">
      <Alert v={v} kind="ok" msg={{ key: `admin.create.outcome.${result.outcome}`, params }} />
      {result.setupUrl && <SetupLinkField v={v} url={result.setupUrl} />}
      <div class="actions">
        <a class="btn btn-primary" href={`/admin/users/${encodeURIComponent(u.id)}`}>
          {v.t("admin.create.open")}
        </a>
        <a class="btn btn-secondary" href="/admin/users/new" hx-get="/admin/users/new" hx-target="#admin-dialog" hx-swap="innerHTML">
          {v.t("admin.create.another")}
        </a>
      </div>
    </div>
  );
}

/**
 * The create form, or after success its outcome. With htmx it lives in a
 * dialog over the users table and posts in place; without, it is a page.
 */
export function CreateUserSection({ v, state, orgs, result, page = false }: { v: View; state: FormState; orgs: OrgOption[] | null; result?: CreateResult; page?: boolean }) {
  const t = v.t;
  // The page's own heading without JavaScript (a page, /admin/users/new); in the dialog, under the users page's h1.
  const Heading = page ? "h1" : "h2";
  return (
    <section id="create-user" class="create-user" aria-labelledby="create-title">
      {/* After creating, focus goes to this heading (app.js), so the keyboard and screen reader stay in the dialog. */}
      <Heading id="create-title" tabindex={result ? -1 : undefined} data-focus={result ? "" : undefined}>
        {result ? t("admin.create.doneTitle") : t("admin.create.title")}
      </Heading>
      {result ? (
        <Outcome v={v} result={result} />
      ) : (
        <form {...hxForm("/admin/users/new", "#create-user")} class="stack" autocomplete="off">
          <FormMessages v={v} state={state} fields={createFieldLabels(v, orgs !== null)} />
          <TypeChoice v={v} state={state} />
          <div class="grid">
            <Field v={v} state={state} name="userId" label={t("form.userId")} required maxlength={32} hint={t("admin.create.userIdHint")} />
            <Field v={v} state={state} name="nickname" label={t("form.nickname")} maxlength={64} />
            <Field v={v} state={state} name="groupName" label={t("account.profile.groupName")} hint={t("account.profile.groupNameHint")} />
            <Field v={v} state={state} name="email" type="email" label={t("form.email")} autocomplete="off" hint={t("admin.create.emailHint")} />
            <Field v={v} state={state} name="password" type="password" label={t("form.password")} autocomplete="new-password" hint={t("admin.create.passwordHint")} />
            <Field v={v} state={state} name="avatarUrl" type="url" label={t("account.profile.avatarUrl")} maxlength={500} inputmode="url" />
            {/* The language of the person's mail (the setup mail first) and pages, until they choose. */}
            <Select v={v} state={state} name="language" label={t("account.profile.language")} options={languageOptions(state.values.language ?? "")} hint={t("admin.create.languageHint")} />
            {orgs && <Select v={v} state={state} name="organizationId" label={t("admin.users.col.organization")} options={orgs.map((o) => ({ value: o.id, label: o.name }))} />}
          </div>
          <div class="actions">
            <Submit label={t("admin.create.submit")} />
          </div>
        </form>
      )}
    </section>
  );
}

/** The dialog htmx opens over the users table (admin.js calls showModal); the ✕ closes it without JavaScript's help. */
export function CreateUserDialog({ v, children }: { v: View; children: Child }) {
  return (
    <dialog class="admin-dialog" data-modal="" aria-labelledby="create-title">
      {/* The dialog's own live region (everything outside a modal dialog is inert, #flash too): app.js speaks through it. */}
      <div class="vh" aria-live="polite" data-live=""></div>
      <form method="dialog" class="dialog-close">
        <button type="submit" class="btn btn-quiet" aria-label={v.t("admin.create.close")}>
          ✕
        </button>
      </form>
      {children}
    </dialog>
  );
}
