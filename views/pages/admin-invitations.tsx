import type { SendResult } from "../../server/organizations/invitations.js";
import { FormMessages, hxForm, Select, Submit } from "../components/form.js";
import { AdminHeading, TextArea } from "../partials/admin-org-parts.js";
import { InvitationListSection, type InvitationList } from "../partials/admin-invitation-list.js";
import { languageOptions } from "../partials/profile-section.js";
import type { FormState, View } from "../view.js";


/** What happened to each pasted address: sent, or why not. Its summary is read out (app.js, data-status) and takes the focus the Send button had. */
function Results({ v, results }: { v: View; results: SendResult[] }) {
  const t = v.t;
  const sent = results.filter((r) => r.status === "sent").length;
  return (
    <div class="ao-results">
      <p class="ao-results-summary" data-status="" tabindex={-1}>
        <strong>{t("admin.invitations.resultSummary", { sent, failed: results.length - sent })}</strong>
      </p>
      <ul>
        {results.map((r) => {
          const key = r.status === "sent" ? "sent" : (r.code ?? "validation_failed");
          const known = ["sent", "already_member", "managed_by_other_organization", "invitation_pending", "pending_limit_reached", "validation_failed"].includes(key);
          return (
            <li class={r.status === "sent" ? "ao-result ok" : "ao-result failed"}>
              <span class="ao-result-mark" aria-hidden="true">{r.status === "sent" ? "✓" : "✕"}</span>
              <span class="mono ao-email">{r.email}</span>
              <span class="ao-result-text">{t(known ? `admin.invitations.result.${key}` : `error.${key}`)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** The send form: addresses pasted in any shape, an optional message, Member or Administrator, the mail's language, and (owners of several) the organization. */
export function SendSection({ v, state, results, organizations }: { v: View; state: FormState; results?: SendResult[]; organizations: { id: string; name: string }[] }) {
  const t = v.t;
  const type = state.values.type === "admin" ? "admin" : "general";
  return (
    <section id="invite-send" class="card" aria-labelledby="invite-send-title">
      <h2 id="invite-send-title">{t("admin.invitations.sendTitle")}</h2>
      {results && <Results v={v} results={results} />}
      <form {...hxForm("/admin/invitations", "#invite-send")} class="stack">
        <FormMessages
          v={v}
          state={state}
          fields={{
            email: t("admin.invitations.addresses"),
            message: t("admin.invitations.message"),
            type: { label: t("admin.invitations.type"), id: `invite-type-${type}` },
            language: t("admin.invitations.language"),
            ...(organizations.length > 1 ? { organizationId: t("admin.invitations.organization") } : {}),
          }}
        />
        <TextArea v={v} state={state} name="email" label={t("admin.invitations.addresses")} hint={t("admin.invitations.addressesHint")} rows={4} required placeholder={"hanako@example.com\ntaro@example.com"} />
        <TextArea v={v} state={state} name="message" label={t("admin.invitations.message")} hint={t("admin.invitations.messageHint")} rows={2} maxlength={1000} />
        <fieldset class="ao-radios ao-radios-inline">
          <legend>{t("admin.invitations.type")}</legend>
          {(["general", "admin"] as const).map((k) => (
            <div class="ao-radio">
              <input type="radio" id={`invite-type-${k}`} name="type" value={k} checked={k === type} aria-describedby={`invite-type-${k}-hint`} />
              <label for={`invite-type-${k}`}>
                <strong>{t(`admin.invitations.type.${k}`)}</strong>
                <span class="hint" id={`invite-type-${k}-hint`}>
                  {t(`admin.invitations.type.${k}.hint`)}
                </span>
              </label>
            </div>
          ))}
        </fieldset>
        {/* The mail's language: most of a company reads the admin's, some do not. */}
        <Select v={v} state={state} name="language" label={t("admin.invitations.language")} hint={t("admin.invitations.languageHint")} options={languageOptions(state.values.language ?? "")} />
        {/* Only a server with several organizations asks which one. */}
        {organizations.length > 1 && <Select v={v} state={state} name="organizationId" label={t("admin.invitations.organization")} options={organizations.map((o) => ({ value: o.id, label: o.name }))} />}
        <div class="actions">
          <Submit label={t("admin.invitations.send")} />
        </div>
      </form>
    </section>
  );
}

/** Registration requests: send, and the list with its state filter, resend and revoke. */
export function AdminInvitationsPage(p: { v: View; send: FormState; results?: SendResult[]; organizations: { id: string; name: string }[]; list: InvitationList; listState: FormState }) {
  const { v } = p;
  return (
    <>
      <AdminHeading v={v} title="admin.invitations.title" intro="admin.invitations.intro" />
      <SendSection v={v} state={p.send} results={p.results} organizations={p.organizations} />
      <InvitationListSection v={v} list={p.list} state={p.listState} />
    </>
  );
}
