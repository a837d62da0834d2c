import { Hono } from "hono";
import type { AppError } from "../../errors.js";
import { visibleOrganizations } from "../../organizations/manage.js";
import { listInvitations, resendInvitation, revokeInvitation, sendInvitations, type SendResult } from "../../organizations/invitations.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { AdminInvitationsPage, SendSection } from "../../../views/pages/admin-invitations.js";
import { InvitationListSection, invitationStates, type InvitationList } from "../../../views/partials/admin-invitation-list.js";
import { formState, type FormState, type View } from "../../../views/view.js";
import { adminPage, doneNotice, queryString, requireAdmin } from "./admin-org-common.js";
import { attempt, failedForm, formBody, fromCursor, go, isHx, page, viewOf } from "./render.js";

const notices = { resent: "admin.invitations.resent", revoked: "admin.invitations.revoked" };
const knownState = (s: string | undefined): string => (invitationStates as readonly string[]).includes(s ?? "") ? (s as string) : "";

/** Organizations an owner may send for; an admin sends for their own and is never asked. */
function organizationsFor(c: Ctx, user: PageUser) {
  if (user.account.type !== "owner") return [];
  return visibleOrganizations(c.get("deps"), user.account).map((o) => ({ id: o.id, name: o.name }));
}

function listOf(c: Ctx, user: PageUser, status: string, cursor?: string): InvitationList & { stale: boolean } {
  const { page: r, stale } = fromCursor((at) => listInvitations(c.get("deps"), user.account, { status: status || undefined, cursor: at, limit: 50 }), cursor || undefined);
  return {
    stale,
    items: r.items,
    total: r.total,
    status,
    first: cursor && !stale ? `/admin/invitations${queryString({ status })}` : undefined,
    next: r.nextCursor ? `/admin/invitations${queryString({ status, cursor: r.nextCursor })}` : undefined,
    showOrganization: organizationsFor(c, user).length > 1,
  };
}

function invitationsPage(c: Ctx, user: PageUser, o: { send?: FormState; results?: SendResult[]; listState?: FormState; status?: number; filter?: string }) {
  const filter = o.filter ?? knownState(c.req.query("status"));
  const organizations = organizationsFor(c, user);
  const send = o.send ?? formState({ type: "general", language: c.get("lang"), organizationId: user.account.organizationId ?? "" });
  const list = listOf(c, user, filter, c.req.method === "GET" ? c.req.query("cursor") : undefined);
  const listState = o.listState ?? (list.stale ? { ...formState(), summary: { key: "list.staleCursor" } } : formState({}, doneNotice(c, notices)));
  const body = (v: View) => <AdminInvitationsPage v={v} send={send} results={o.results} organizations={organizations} list={list} listState={listState} />;
  // htmx after a send: the send card in place, and the list (with the new rows) out of band.
  const fragment = (v: View) => (
    <>
      <SendSection v={v} state={send} results={o.results} organizations={organizations} />
      <InvitationListSection v={v} list={list} state={listState} oob />
    </>
  );
  return adminPage(c, user, { current: "/admin/invitations", title: "admin.invitations.title", here: `/admin/invitations${queryString({ status: filter })}`, status: o.status, body, fragment });
}

/** After resend or revoke: the list section for htmx, else back to the list (post/redirect/get). */
async function rowAction(c: Ctx, action: (user: PageUser, id: string) => unknown, done: keyof typeof notices) {
  const user = requireAdmin(c);
  const f = await formBody(c);
  const filter = knownState(f.status);
  const r = await attempt(c, () => action(user, c.req.param("id") ?? ""));
  if (r.ok && !isHx(c)) return go(c, `/admin/invitations${queryString({ status: filter, done })}#invite-list`);
  // The service's "the request is accepted/revoked" (a stale row): say that, not "correct the fields".
  const failed = (err: AppError): FormState => (err.fields?.status ? { values: {}, errors: {}, summary: { key: "admin.invitations.notResendable" } } : failedForm(c, err, {}));
  if (!r.ok && !isHx(c)) return invitationsPage(c, user, { listState: failed(r.err), status: r.err.status, filter });
  const state = r.ok ? formState({}, { key: notices[done] }) : failed(r.err);
  const v = viewOf(c, "/admin/invitations");
  return page(c, { v, title: v.t("admin.invitations.title"), status: r.ok ? 200 : r.err.status, body: <InvitationListSection v={v} list={listOf(c, user, filter)} state={state} /> });
}

/** /admin/invitations: registration requests for admins (an admin's own organization; owners: any). */
export const adminInvitationPages = new Hono<AppEnv>()
  .get("/admin/invitations", (c) => invitationsPage(c, requireAdmin(c), {}))
  .post("/admin/invitations", async (c) => {
    const user = requireAdmin(c);
    const f = await formBody(c);
    const type = f.type === "admin" ? "admin" : "general";
    const input = { email: f.email ?? "", message: f.message ?? "", type, language: f.language || undefined, organizationId: f.organizationId || undefined };
    const r = await attempt(c, () => sendInvitations(c.get("deps"), user.account, input, c.get("meta")));
    if (!r.ok) return invitationsPage(c, user, { send: failedForm(c, r.err, f), status: r.err.status, filter: "" });
    // The type, message, language and organization stay for the next batch; of the addresses, those that failed for a reason
    // the admin can fix (a typo, a full queue) stay to be corrected. Sent ones, members (here or elsewhere) and pending
    // ones are done with.
    const done = new Set(["already_member", "invitation_pending", "managed_by_other_organization"]);
    const again = r.value.results.filter((x) => x.status === "error" && !done.has(x.code ?? "")).map((x) => x.email);
    const send = formState({ type, message: f.message ?? "", language: f.language ?? "", organizationId: f.organizationId ?? "", email: again.join("\n") });
    return invitationsPage(c, user, { send, results: r.value.results, filter: "" });
  })
  .post("/admin/invitations/:id/resend", (c) => rowAction(c, (user, id) => resendInvitation(c.get("deps"), user.account, id, c.get("meta")), "resent"))
  .post("/admin/invitations/:id/revoke", (c) => rowAction(c, (user, id) => revokeInvitation(c.get("deps"), user.account, id, c.get("meta")), "revoked"));
