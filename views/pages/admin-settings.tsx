import type { ServerSettings } from "../../server/admin/settings.js";
import { registrationPolicies } from "../../server/admin/settings.js";
import { Alert, Checkbox, Field, FormMessages, Submit } from "../components/form.js";
import { AdminHeading } from "../partials/admin-org-parts.js";
import type { FormState, Message, View } from "../view.js";


/** One radio button per registration policy, each with what it means for people who register. */
function PolicyChoice({ v, state }: { v: View; state: FormState }) {
  const t = v.t;
  const current = state.values.registration ?? "open";
  const error = state.errors.registration;
  return (
    <fieldset class="ao-radios" aria-describedby={error ? "registration-error" : undefined}>
      <legend>{t("admin.settings.registration")}</legend>
      {registrationPolicies.map((p) => (
        <div class="ao-radio">
          <input type="radio" id={`registration-${p}`} name="registration" value={p} checked={p === current} aria-describedby={`registration-${p}-hint`} />
          <label for={`registration-${p}`}>
            <strong>{t(`admin.settings.policy.${p}`)}</strong>
            <span class="hint" id={`registration-${p}-hint`}>
              {t(`admin.settings.policy.${p}.hint`)}
            </span>
          </label>
        </div>
      ))}
      {error && (
        <p class="field-error" id="registration-error">
          {t(error)}
        </p>
      )}
    </fieldset>
  );
}

/** Locked: a folded "Unlock deletion" flow with the warning and a typed confirmation. Unlocked: lock again in one click. */
function DeletionLock({ v, locked, unlock }: { v: View; locked: boolean; unlock: FormState }) {
  const t = v.t;
  const word = t("admin.settings.unlockWord");
  const failed = Object.keys(unlock.errors).length > 0 || !!unlock.summary;
  return (
    <section id="deletion" class="card ao-danger-zone" aria-labelledby="deletion-title">
      <h2 id="deletion-title">{t("admin.settings.deletion")}</h2>
      {locked ? (
        <>
          <p>
            <span class="ao-state ao-state-locked">{t("admin.settings.deletionLocked")}</span> {t("admin.settings.deletionLockedHelp")}
          </p>
          <details class="ao-unlock" open={failed}>
            <summary>{t("admin.settings.unlockOpen")}</summary>
            <div class="ao-warning" role="note">
              <p>
                <strong>{t("admin.settings.unlockWarningTitle")}</strong>
              </p>
              <p>{t("admin.settings.unlockWarning")}</p>
            </div>
            <form method="post" action="/admin/settings/deletion/unlock" class="stack">
              <FormMessages v={v} state={unlock} fields={{ confirmWord: t("admin.settings.unlockType", { word }) }} />
              <Field v={v} state={unlock} name="confirmWord" label={t("admin.settings.unlockType", { word })} required autocomplete="off" hint={t("admin.settings.unlockTypeHint", { word })} />
              <Submit kind="danger" label={t("admin.settings.unlockSubmit")} />
            </form>
          </details>
        </>
      ) : (
        <>
          <div class="ao-warning" role="note">
            <p>
              <strong>{t("admin.settings.deletionUnlocked")}</strong>
            </p>
            <p>{t("admin.settings.deletionUnlockedHelp")}</p>
          </div>
          <form method="post" action="/admin/settings/deletion/lock" class="actions">
            <Submit label={t("admin.settings.lockSubmit")} />
          </form>
        </>
      )}
    </section>
  );
}

/** Owners' server settings: name, registration policy, confirmation, and the deletion lock. */
export function AdminSettingsPage({ v, settings, form, unlock, notice }: { v: View; settings: ServerSettings; form: FormState; unlock: FormState; notice?: Message }) {
  const t = v.t;
  return (
    <>
      <AdminHeading v={v} title="admin.settings.title" intro="admin.settings.intro" />
      {notice && <Alert v={v} kind="ok" msg={notice} />}
      <section id="registration-settings" class="card" aria-labelledby="settings-title">
        <h2 id="settings-title">{t("admin.settings.general")}</h2>
        <form method="post" action="/admin/settings" class="stack">
          <FormMessages
            v={v}
            state={form}
            fields={{
              serverName: t("admin.settings.serverName"),
              registration: { label: t("admin.settings.registration"), id: `registration-${form.values.registration ?? "open"}` },
              verificationRequired: t("admin.settings.verificationRequired"),
            }}
          />
          <Field v={v} state={form} name="serverName" label={t("admin.settings.serverName")} required maxlength={100} hint={t("admin.settings.serverNameHint")} />
          <PolicyChoice v={v} state={form} />
          <Checkbox v={v} state={form} name="verificationRequired" label={t("admin.settings.verificationRequired")} hint={t("admin.settings.verificationRequiredHint")} />
          <div class="actions">
            <Submit label={t("admin.settings.save")} />
          </div>
        </form>
      </section>
      <DeletionLock v={v} locked={settings.deletionLocked} unlock={unlock} />
    </>
  );
}
