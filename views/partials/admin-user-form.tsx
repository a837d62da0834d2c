import type { PresentedAccount } from "../../server/accounts/present.js";
import { Checkbox, Field, FormMessages, hxForm, Select, Submit } from "../components/form.js";
import type { FormState, View } from "../view.js";
import { languageOptions, options, profileValues } from "./profile-section.js";

/** The fields of the admin's form, in its order, with their labels (the error summary links each message to its field). */
function userFormLabels(v: View): Record<string, string> {
  const t = v.t;
  return {
    nickname: t("form.nickname"),
    email: t("form.email"),
    avatarUrl: t("account.profile.avatarUrl"),
    groupName: t("account.profile.groupName"),
    gender: t("account.profile.gender"),
    birthDate: t("account.profile.birthDate"),
    location: t("account.profile.location"),
    language: t("account.profile.language"),
    friendPolicy: t("account.profile.friendPolicy"),
    level: t("admin.user.level"),
    role: t("admin.user.role"),
    statusMessage: t("account.profile.statusMessage"),
    pushOffline: t("admin.user.pushOffline"),
    friendingForbidden: t("admin.user.friendingForbidden"),
  };
}

/** The edit form's values: the user's own profile fields, plus the admin-only ones. */
export function userFormValues(a: PresentedAccount): Record<string, string> {
  return {
    ...profileValues(a),
    email: a.email ?? "",
    level: String(a.level),
    role: String(a.role),
    friendingForbidden: a.friendingForbidden ? "on" : "",
  };
}

/**
 * Every profile field of SPEC §2 plus the admin-only ones. userId and type are not here: they are not edited.
 * `locked`: the viewer may not change this account (an owner, seen by an admin), so the same fields, disabled, and nothing to submit.
 */
export function UserForm({ v, id, state, locked = false }: { v: View; id: string; state: FormState; locked?: boolean }) {
  const t = v.t;
  const languages = languageOptions(state.values.language ?? "");
  const fields = (
    <>
      <div class="grid">
        <Field v={v} state={state} name="nickname" label={t("form.nickname")} maxlength={64} />
        <Field v={v} state={state} name="email" type="email" label={t("form.email")} hint={t("admin.user.emailHint")} />
        <Field v={v} state={state} name="avatarUrl" type="url" label={t("account.profile.avatarUrl")} maxlength={500} inputmode="url" />
        <Field v={v} state={state} name="groupName" label={t("account.profile.groupName")} hint={t("account.profile.groupNameHint")} />
        <Select v={v} state={state} name="gender" label={t("account.profile.gender")} options={options(v, "account.gender", ["unknown", "female", "male", "other"])} />
        <Field v={v} state={state} name="birthDate" type="date" label={t("account.profile.birthDate")} />
        <Field v={v} state={state} name="location" label={t("account.profile.location")} maxlength={64} />
        <Select v={v} state={state} name="language" label={t("account.profile.language")} options={languages} />
        <Select v={v} state={state} name="friendPolicy" label={t("account.profile.friendPolicy")} options={options(v, "account.friendPolicy", ["need_confirm", "allow_any", "deny_any"])} />
        <Field v={v} state={state} name="level" type="number" label={t("admin.user.level")} inputmode="numeric" required hint={t("admin.user.levelHint")} />
        <Field v={v} state={state} name="role" type="number" label={t("admin.user.role")} inputmode="numeric" required />
      </div>
      <Field v={v} state={state} name="statusMessage" label={t("account.profile.statusMessage")} maxlength={140} />
      <Checkbox v={v} state={state} name="pushOffline" label={t("admin.user.pushOffline")} />
      <Checkbox v={v} state={state} name="friendingForbidden" label={t("admin.user.friendingForbidden")} hint={t("admin.user.friendingForbiddenHint")} />
    </>
  );
  return (
    <section id="user-profile" class="card" aria-labelledby="user-profile-title">
      <h2 id="user-profile-title">{t("admin.user.profile")}</h2>
      {locked ? (
        // A disabled fieldset disables every control in it: shown, not sent. The messages stay (a refused post says why).
        <fieldset class="stack" disabled>
          <FormMessages v={v} state={state} fields={userFormLabels(v)} />
          {fields}
        </fieldset>
      ) : (
        <form {...hxForm(`/admin/users/${encodeURIComponent(id)}`, "#user-admin")} class="stack">
          <FormMessages v={v} state={state} fields={userFormLabels(v)} />
          {fields}
          <div class="actions">
            <Submit label={t("admin.user.save")} />
          </div>
        </form>
      )}
    </section>
  );
}
