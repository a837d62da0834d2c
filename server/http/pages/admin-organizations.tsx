import { Hono } from "hono";
import { AppError } from "../../errors.js";
import { createOrganizationAsOwner, listOrganizations, updateOrganization } from "../../organizations/manage.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { AdminOrganizationEditPage, AdminOrganizationsPage, domainLines, type OrgFormState, type OrgRow } from "../../../views/pages/admin-organizations.js";
import { formState, type View } from "../../../views/view.js";
import { adminPage, doneNotice, requireAdmin } from "./admin-org-common.js";
import { attempt, failedForm, formBody, go } from "./render.js";

const notices = { created: "admin.orgs.created", saved: "admin.orgs.saved" };

/** Domains as typed in the textarea: one per line (commas and spaces also separate). */
export const splitDomains = (s: string | undefined): string[] => (s ?? "").split(/[\s,;]+/).map((d) => d.trim()).filter(Boolean);

/** The line each domain of `splitDomains` came from, in the same order: what the person typed, to name it back. */
const domainLinesTyped = (s: string | undefined): string[] => (s ?? "").split(/[\r\n]+/).flatMap((line) => splitDomains(line).map(() => line.trim()));

/** A number field as the service takes it: anything that is not a whole number fails its check. */
const whole = (s: string | undefined): number => (s && /^\s*\d+\s*$/.test(s) ? Number(s) : NaN);

/**
 * The form after a refusal. The service names a bad domain by its place in
 * the list (`domains.2`); the form names it once, on the field, by the line
 * that was typed. A domain another organization claims is named with that
 * organization.
 */
function refused(c: Ctx, err: AppError, f: Record<string, string>, orgs: OrgRow[], selfId?: string): OrgFormState {
  const state: OrgFormState = failedForm(c, err, f);
  const lines = domainLinesTyped(f.domains);
  const bad = Object.keys(state.errors).filter((k) => /^domains\.\d+$/.test(k));
  if (bad.length) {
    state.errors = { ...Object.fromEntries(Object.entries(state.errors).filter(([k]) => !bad.includes(k))), domains: state.errors.domains ?? "domain.invalid" };
    const named = [...new Set(bad.map((k) => lines[Number(k.slice("domains.".length))] ?? ""))].filter(Boolean);
    if (named.length) state.domains = { kind: "invalid", lines: named };
  }
  if (err.fields?.domains === "domain.taken") {
    const typed = splitDomains(f.domains).map((d) => d.toLowerCase());
    const claims = orgs.filter((o) => o.id !== selfId).flatMap((o) => o.claimedDomains.filter((d) => typed.includes(d)).map((domain) => ({ domain, organization: o.name })));
    if (claims.length) state.domains = { kind: "taken", claims };
  }
  return state;
}

function listPage(c: Ctx, user: PageUser, create: OrgFormState = formState(), status?: number) {
  const orgs = listOrganizations(c.get("deps"), user.account);
  const body = (v: View) => <AdminOrganizationsPage v={v} orgs={orgs} create={create} notice={doneNotice(c, notices)} />;
  return adminPage(c, user, { current: "/admin/organizations", title: "admin.orgs.title", here: "/admin/organizations", status, body });
}

function findOrg(c: Ctx, user: PageUser, id: string): { org: OrgRow; orgs: OrgRow[] } {
  const orgs = listOrganizations(c.get("deps"), user.account);
  const org = orgs.find((o) => o.id === id);
  if (!org) throw new AppError("not_found");
  return { org, orgs };
}

function editPage(c: Ctx, user: PageUser, org: OrgRow, state: OrgFormState, status?: number) {
  const here = `/admin/organizations/${encodeURIComponent(org.id)}`;
  const body = (v: View) => <AdminOrganizationEditPage v={v} org={org} state={state} />;
  return adminPage(c, user, { current: "/admin/organizations", title: "admin.orgs.editPageTitle", here, status, body });
}

const orgValues = (o: OrgRow) => ({ name: o.name, domains: domainLines(o.claimedDomains), adminLimit: String(o.adminLimit), pendingLimit: String(o.pendingLimit) });

/** /admin/organizations: owners list, create and edit organizations and their claimed domains. */
export const adminOrganizationPages = new Hono<AppEnv>()
  .get("/admin/organizations", (c) => listPage(c, requireAdmin(c, { owner: true })))
  .post("/admin/organizations", async (c) => {
    const user = requireAdmin(c, { owner: true });
    const f = await formBody(c);
    const r = await attempt(c, () => createOrganizationAsOwner(c.get("deps"), user.account, { name: f.name ?? "", domains: splitDomains(f.domains) }, c.get("meta")));
    if (!r.ok) return listPage(c, user, refused(c, r.err, f, listOrganizations(c.get("deps"), user.account)), r.err.status);
    return go(c, "/admin/organizations?done=created");
  })
  .get("/admin/organizations/:id", (c) => {
    const user = requireAdmin(c, { owner: true });
    const { org } = findOrg(c, user, c.req.param("id"));
    return editPage(c, user, org, formState(orgValues(org)));
  })
  .post("/admin/organizations/:id", async (c) => {
    const user = requireAdmin(c, { owner: true });
    const { org, orgs } = findOrg(c, user, c.req.param("id"));
    const f = await formBody(c);
    const input = { name: f.name ?? "", domains: splitDomains(f.domains), adminLimit: whole(f.adminLimit), pendingLimit: whole(f.pendingLimit) };
    const r = await attempt(c, () => updateOrganization(c.get("deps"), user.account, org.id, input, c.get("meta")));
    if (!r.ok) return editPage(c, user, org, refused(c, r.err, f, orgs, org.id), r.err.status);
    return go(c, "/admin/organizations?done=saved");
  });
