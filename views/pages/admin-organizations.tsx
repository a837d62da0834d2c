import type { presentOrganization } from "../../server/organizations/manage.js";
import { Alert, Field, FormMessages, Submit } from "../components/form.js";
import { AdminHeading, TextArea } from "../partials/admin-org-parts.js";
import type { FormState, Message, View } from "../view.js";

export type OrgRow = ReturnType<typeof presentOrganization>;

/** Claimed domains, one per line, as the textarea shows them. */
export const domainLines = (domains: string[]): string => domains.join("\n");

/** Why the domains were refused, with what is at fault: lines that hold no domain, or domains another organization claims. */
export type DomainsRefusal = { kind: "invalid"; lines: string[] } | { kind: "taken"; claims: { domain: string; organization: string }[] };

/** An organization form as it is shown again after a refusal. */
export type OrgFormState = FormState & { domains?: DomainsRefusal };

/** The refusal in one sentence on the field, naming each value once. */
function domainsError(v: View, r: DomainsRefusal | undefined): Message | undefined {
  if (!r) return undefined;
  const list = (items: string[]) => new Intl.ListFormat(v.lang, { type: "conjunction" }).format(items);
  if (r.kind === "invalid") {
    const domains = list(r.lines.map((value) => v.t("admin.orgs.quoted", { value })));
    return { key: `admin.orgs.domainInvalid.${r.lines.length === 1 ? "one" : "other"}`, params: { domains } };
  }
  return { key: "admin.orgs.domainTaken", params: { domains: list(r.claims.map((x) => v.t("admin.orgs.domainOf", x))) } };
}

function Domains({ v, domains }: { v: View; domains: string[] }) {
  if (domains.length === 0) return <span class="muted">{v.t("admin.orgs.noDomains")}</span>;
  return (
    <ul class="ao-chips">
      {domains.map((d) => (
        <li class="mono">{d}</li>
      ))}
    </ul>
  );
}

function OrgTable({ v, orgs }: { v: View; orgs: OrgRow[] }) {
  const t = v.t;
  return (
    <div class="ao-table-wrap">
      <table class="data-table ao-table ao-orgs">
        <caption class="ao-caption">{t("admin.orgs.count", { count: orgs.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("admin.orgs.name")}</th>
            <th scope="col" class="num">{t("admin.orgs.members")}</th>
            <th scope="col" class="num">{t("admin.orgs.admins")}</th>
            <th scope="col" class="num">{t("admin.orgs.pendingLimit")}</th>
            <th scope="col">{t("admin.orgs.domains")}</th>
            <th scope="col"><span class="vh">{t("admin.orgs.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          {orgs.map((o) => (
            <tr>
              <th scope="row">{o.name}</th>
              <td class="num">{o.members}</td>
              <td class="num">{t("admin.orgs.adminsOf", { count: o.admins, limit: o.adminLimit })}</td>
              <td class="num">{o.pendingLimit}</td>
              <td>
                <Domains v={v} domains={o.claimedDomains} />
              </td>
              <td class="ao-row-actions">
                <a class="btn btn-secondary" href={`/admin/organizations/${encodeURIComponent(o.id)}`} aria-label={t("admin.orgs.editLabel", { name: o.name })}>
                  {t("admin.orgs.edit")}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Owners: every organization with its counts and domains, and a form to create one. */
export function AdminOrganizationsPage({ v, orgs, create, notice }: { v: View; orgs: OrgRow[]; create: OrgFormState; notice?: Message }) {
  const t = v.t;
  return (
    <>
      <AdminHeading v={v} title="admin.orgs.title" intro="admin.orgs.intro" />
      {notice && <Alert v={v} kind="ok" msg={notice} />}
      <section class="card" aria-labelledby="orgs-list-title">
        <h2 id="orgs-list-title">{t("admin.orgs.listTitle")}</h2>
        <OrgTable v={v} orgs={orgs} />
      </section>
      <section id="create" class="card" aria-labelledby="orgs-create-title">
        <h2 id="orgs-create-title">{t("admin.orgs.createTitle")}</h2>
        <p class="hint">{t("admin.orgs.createIntro")}</p>
        <form method="post" action="/admin/organizations" class="stack">
          <FormMessages v={v} state={create} fields={{ name: t("admin.orgs.name"), domains: { label: t("admin.orgs.domains"), message: domainsError(v, create.domains) } }} />
          <Field v={v} state={create} name="name" label={t("admin.orgs.name")} required maxlength={100} autocomplete="off" />
          <TextArea v={v} state={create} name="domains" label={t("admin.orgs.domains")} hint={t("admin.orgs.domainsHint")} rows={3} placeholder="example.com" error={domainsError(v, create.domains)} />
          <div class="actions">
            <Submit label={t("admin.orgs.create")} />
          </div>
        </form>
      </section>
    </>
  );
}

/** One organization's edit form: name, claimed domains (the list replaces the old one), limits. */
export function AdminOrganizationEditPage({ v, org, state }: { v: View; org: OrgRow; state: OrgFormState }) {
  const t = v.t;
  return (
    <>
      <p class="ao-back">
        <a href="/admin/organizations">{t("admin.orgs.back")}</a>
      </p>
      <section class="card" aria-labelledby="org-edit-title">
        <h1 id="org-edit-title">{t("admin.orgs.editTitle", { name: org.name })}</h1>
        <p class="hint">{t("admin.orgs.editCounts", { members: org.members, admins: org.admins })}</p>
        <form method="post" action={`/admin/organizations/${encodeURIComponent(org.id)}`} class="stack">
          <FormMessages
            v={v}
            state={state}
            fields={{ name: t("admin.orgs.name"), domains: { label: t("admin.orgs.domains"), message: domainsError(v, state.domains) }, adminLimit: t("admin.orgs.adminLimit"), pendingLimit: t("admin.orgs.pendingLimit") }}
          />
          <Field v={v} state={state} name="name" label={t("admin.orgs.name")} required maxlength={100} autocomplete="off" />
          <TextArea v={v} state={state} name="domains" label={t("admin.orgs.domains")} hint={t("admin.orgs.domainsEditHint")} rows={4} error={domainsError(v, state.domains)} />
          <div class="grid">
            <Field v={v} state={state} name="adminLimit" type="number" inputmode="numeric" required label={t("admin.orgs.adminLimit")} hint={t("admin.orgs.adminLimitHint")} />
            <Field v={v} state={state} name="pendingLimit" type="number" inputmode="numeric" required label={t("admin.orgs.pendingLimit")} hint={t("admin.orgs.pendingLimitHint")} />
          </div>
          <div class="actions">
            <Submit label={t("admin.orgs.save")} />
            <a href="/admin/organizations">{t("admin.orgs.cancel")}</a>
          </div>
        </form>
      </section>
    </>
  );
}
