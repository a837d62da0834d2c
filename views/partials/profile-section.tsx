import type { PresentedAccount } from "../../server/accounts/present.js";
import { Checkbox, Field, FormMessages, hxForm, Select, Submit } from "../components/form.js";
import type { FormState, View } from "../view.js";


/** The form's values for an account as stored (groupName shown normalised). */
export function profileValues(a: PresentedAccount): Record<string, string> {
  return {
    nickname: a.nickname,
    avatarUrl: a.avatarUrl,
    groupName: a.groupName,
    gender: a.gender,
    birthDate: a.birthDate ?? "",
    location: a.location,
    statusMessage: a.statusMessage,
    language: a.language,
    friendPolicy: a.friendPolicy,
    pushOffline: a.messageSettings.pushOffline ? "on" : "",
  };
}

/** Select options whose labels are i18n keys `${prefix}.${value}`. */
export const options = (v: View, prefix: string, values: readonly string[]) => values.map((value) => ({ value, label: v.t(`${prefix}.${value}`) }));

/** The UI's languages, plus the account's own tag when the UI does not speak it (set through the API), so saving keeps it. */
export function languageOptions(current: string) {
  const languages = [
    { value: "en", label: "English" },
    { value: "ja", label: "日本語" },
  ];
  if (current && !languages.some((l) => l.value === current)) languages.push({ value: current, label: current });
  return languages;
}

/** The profile fields' labels, in the form's order (the error summary links each message to its field). */
export function profileLabels(v: View): Record<string, string> {
  const t = v.t;
  return {
    nickname: t("form.nickname"),
    avatarUrl: t("account.profile.avatarUrl"),
    groupName: t("account.profile.groupName"),
    location: t("account.profile.location"),
    gender: t("account.profile.gender"),
    birthDate: t("account.profile.birthDate"),
    language: t("account.profile.language"),
    friendPolicy: t("account.profile.friendPolicy"),
    statusMessage: t("account.profile.statusMessage"),
    pushOffline: t("account.profile.pushOffline"),
  };
}

/** The person's own profile: the fields a browser can fill in from what it knows of them say which (autocomplete). */
export function ProfileSection({ v, state }: { v: View; state: FormState }) {
  const t = v.t;
  const languages = languageOptions(state.values.language ?? "");
  return (
    <section id="profile" class="card" aria-labelledby="profile-title">
      <h2 id="profile-title">{t("account.profile.title")}</h2>
      <form {...hxForm("/account/profile", "#profile")} class="stack">
        <FormMessages v={v} state={state} fields={profileLabels(v)} />
        <div class="grid">
          <Field v={v} state={state} name="nickname" label={t("form.nickname")} maxlength={64} autocomplete="nickname" hint={t("account.profile.nicknameHint")} />
          <Field v={v} state={state} name="avatarUrl" type="url" label={t("account.profile.avatarUrl")} maxlength={500} inputmode="url" autocomplete="photo" />
          <Field v={v} state={state} name="groupName" label={t("account.profile.groupName")} hint={t("account.profile.groupNameHint")} />
          <Field v={v} state={state} name="location" label={t("account.profile.location")} maxlength={64} />
          <Select v={v} state={state} name="gender" label={t("account.profile.gender")} options={options(v, "account.gender", ["unknown", "female", "male", "other"])} autocomplete="sex" />
          <Field v={v} state={state} name="birthDate" type="date" label={t("account.profile.birthDate")} autocomplete="bday" />
          <Select v={v} state={state} name="language" label={t("account.profile.language")} options={languages} autocomplete="language" />
          <Select v={v} state={state} name="friendPolicy" label={t("account.profile.friendPolicy")} options={options(v, "account.friendPolicy", ["need_confirm", "allow_any", "deny_any"])} />
        </div>
        <Field v={v} state={state} name="statusMessage" label={t("account.profile.statusMessage")} maxlength={140} />
        <Checkbox v={v} state={state} name="pushOffline" label={t("account.profile.pushOffline")} />
        <div class="actions">
          <Submit label={t("account.profile.save")} />
        </div>
      </form>
    </section>
  );
}
