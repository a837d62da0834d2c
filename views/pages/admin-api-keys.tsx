import { Field, FormMessages, hxForm, Submit } from "../components/form.js";
import { AdminHeading } from "../partials/admin-org-parts.js";
import { Time } from "../partials/sessions-section.js";
import type { FormState, View } from "../view.js";

export interface ApiKeyRow {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  /** False while its creator is not an active admin or owner: the key is refused until they are again. */
  active: boolean;
  /** False for an owner's key shown to an admin: only an owner revokes it. */
  revocable: boolean;
}

/** The new key, this once: it is stored only as a hash, so nobody can show it again. Its title is read out and takes the focus (app.js); the key is next in the tab order. */
function NewKey({ v, name, secret }: { v: View; name: string; secret: string }) {
  const t = v.t;
  return (
    <div class="ao-key-once">
      <p data-status="" tabindex={-1}>
        <strong>{t("admin.apiKeys.createdTitle", { name })}</strong>
      </p>
      <label for="new-api-key">{t("admin.apiKeys.theKey")}</label>
      {/* Copied rather than selected by hand: a key cut short by a slip fails only later, in the program's configuration. */}
      <div class="copy-field">
        <input id="new-api-key" class="mono" type="text" readonly value={secret} autocomplete="off" spellcheck={false} aria-describedby="new-api-key-warning" />
        <button type="button" class="btn btn-secondary js-only" data-copy="#new-api-key" data-copied={t("admin.apiKeys.copied")}>
          {t("admin.apiKeys.copy")}
        </button>
      </div>
      <p id="new-api-key-warning" class="ao-warning-text">
        {t("admin.apiKeys.onceWarning")}
      </p>
    </div>
  );
}

function KeyTable({ v, keys }: { v: View; keys: ApiKeyRow[] }) {
  const t = v.t;
  if (keys.length === 0) return <p class="muted ao-empty">{t("admin.apiKeys.none")}</p>;
  return (
    <div class="ao-table-wrap">
      <table class="data-table ao-table">
        <thead>
          <tr>
            <th scope="col">{t("admin.apiKeys.name")}</th>
            <th scope="col">{t("admin.apiKeys.createdBy")}</th>
            <th scope="col">{t("admin.apiKeys.created")}</th>
            <th scope="col">{t("admin.apiKeys.lastUsed")}</th>
            <th scope="col"><span class="vh">{t("admin.orgs.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr>
              <th scope="row">
                {k.name}
                {!k.active && (
                  <>
                    {" "}
                    <span class="status-badge status-disabled">{t("admin.apiKeys.suspended")}</span>
                    <span class="hint">{t("admin.apiKeys.suspendedHint")}</span>
                  </>
                )}
              </th>
              <td class="mono">{k.createdBy ?? "—"}</td>
              <td>
                <Time iso={k.createdAt} lang={v.lang} />
              </td>
              <td>{k.lastUsedAt ? <Time iso={k.lastUsedAt} lang={v.lang} /> : <span class="muted">{t("admin.apiKeys.never")}</span>}</td>
              <td class="ao-row-actions">
                {k.revocable ? (
                  <form {...hxForm(`/admin/api-keys/${encodeURIComponent(k.id)}/revoke`, "#api-keys")} class="inline" hx-confirm={t("admin.apiKeys.revokeConfirm", { name: k.name })}>
                    <button type="submit" class="btn btn-danger" aria-label={t("admin.apiKeys.revokeLabel", { name: k.name })}>
                      {t("admin.apiKeys.revoke")}
                    </button>
                  </form>
                ) : (
                  <span class="muted">{t("admin.apiKeys.ownersKey")}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Create a key (shown once) and the list of keys with revoke; htmx swaps this whole section. */
export function ApiKeysSection({ v, keys, state, created }: { v: View; keys: ApiKeyRow[]; state: FormState; created?: { name: string; key: string } }) {
  const t = v.t;
  return (
    <section id="api-keys" class="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">{t("admin.apiKeys.listTitle")}</h2>
      {created && <NewKey v={v} name={created.name} secret={created.key} />}
      <FormMessages v={v} state={state} fields={{ name: { label: t("admin.apiKeys.newName"), id: "api-key-name" } }} />
      <form {...hxForm("/admin/api-keys", "#api-keys")} class="ao-inline-create">
        <Field v={v} state={state} id="api-key-name" name="name" label={t("admin.apiKeys.newName")} required maxlength={100} autocomplete="off" hint={t("admin.apiKeys.newNameHint")} />
        <Submit label={t("admin.apiKeys.create")} />
      </form>
      <KeyTable v={v} keys={keys} />
    </section>
  );
}

export function AdminApiKeysPage(p: { v: View; keys: ApiKeyRow[]; state: FormState; created?: { name: string; key: string } }) {
  return (
    <>
      <AdminHeading v={p.v} title="admin.apiKeys.title" intro="admin.apiKeys.intro" />
      <ApiKeysSection v={p.v} keys={p.keys} state={p.state} created={p.created} />
    </>
  );
}
