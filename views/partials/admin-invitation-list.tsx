import type { presentInvitation } from "../../server/organizations/invitations.js";
import { FormMessages, hxForm } from "../components/form.js";
import type { FormState, View } from "../view.js";
import { Pager, StateBadge } from "./admin-org-parts.js";
import { Time } from "./sessions-section.js";

export type InvitationRow = ReturnType<typeof presentInvitation>;
export const invitationStates = ["pending", "accepted", "revoked", "expired"] as const;

export interface InvitationList {
  items: InvitationRow[];
  total: number;
  /** The state filter, or "" for all. */
  status: string;
  /** Links to the first and the next page, when there are more. */
  first?: string;
  next?: string;
  /** Show which organization each request is for (an owner of a server with several). */
  showOrganization: boolean;
}

/** All / pending / accepted / revoked / expired, as links that keep the page working without JavaScript. */
function StateFilter({ v, status }: { v: View; status: string }) {
  const t = v.t;
  const states = ["", ...invitationStates];
  return (
    <nav class="ao-filter" aria-label={t("admin.invitations.filter")}>
      {states.map((s) => (
        <a href={s ? `/admin/invitations?status=${s}#invite-list` : "/admin/invitations#invite-list"} aria-current={s === status ? "page" : undefined}>
          {t(s ? `admin.invitations.state.${s}` : "admin.invitations.all")}
        </a>
      ))}
    </nav>
  );
}

/** Resend (pending or expired: a new link, seven more days) and Revoke (pending) for one row. */
function RowActions({ v, inv, status }: { v: View; inv: InvitationRow; status: string }) {
  const t = v.t;
  const id = encodeURIComponent(inv.id);
  return (
    <div class="ao-row-actions">
      {(inv.status === "pending" || inv.status === "expired") && (
        <form {...hxForm(`/admin/invitations/${id}/resend`, "#invite-list")} class="inline">
          <input type="hidden" name="status" value={status} />
          <button type="submit" class="btn btn-secondary" aria-label={t("admin.invitations.resendLabel", { email: inv.email })}>
            {t("admin.invitations.resend")}
          </button>
        </form>
      )}
      {inv.status === "pending" && (
        <form {...hxForm(`/admin/invitations/${id}/revoke`, "#invite-list")} class="inline">
          <input type="hidden" name="status" value={status} />
          <button type="submit" class="btn btn-danger" aria-label={t("admin.invitations.revokeLabel", { email: inv.email })}>
            {t("admin.invitations.revoke")}
          </button>
        </form>
      )}
    </div>
  );
}

/** The registration requests sent so far, newest first; htmx swaps this section after a resend or revoke. */
export function InvitationListSection({ v, list, state, oob }: { v: View; list: InvitationList; state: FormState; oob?: boolean }) {
  const t = v.t;
  return (
    <section id="invite-list" class="card" aria-labelledby="invite-list-title" hx-swap-oob={oob ? "true" : undefined}>
      <h2 id="invite-list-title">{t("admin.invitations.listTitle")}</h2>
      <StateFilter v={v} status={list.status} />
      <FormMessages v={v} state={state} fields={[]} />
      {list.items.length === 0 ? (
        <p class="muted ao-empty">{t("admin.invitations.none")}</p>
      ) : (
        <div class="ao-table-wrap">
          <table class="data-table ao-table">
            <caption class="ao-caption">{t("admin.invitations.count", { count: list.total })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("form.email")}</th>
                <th scope="col">{t("admin.invitations.type")}</th>
                <th scope="col">{t("admin.invitations.status")}</th>
                {list.showOrganization && <th scope="col">{t("admin.invitations.organization")}</th>}
                <th scope="col">{t("admin.invitations.sent")}</th>
                <th scope="col">{t("admin.invitations.expires")}</th>
                <th scope="col"><span class="vh">{t("admin.orgs.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((inv) => (
                <tr>
                  <th scope="row" class="ao-email">{inv.email}</th>
                  <td>{t(`admin.invitations.type.${inv.type}`)}</td>
                  <td>
                    <StateBadge v={v} prefix="admin.invitations.state" state={inv.status} />
                  </td>
                  {list.showOrganization && <td>{inv.organization.name}</td>}
                  <td>
                    <Time iso={inv.createdAt} lang={v.lang} />
                  </td>
                  <td>{inv.status === "pending" || inv.status === "expired" ? <Time iso={inv.expiresAt} lang={v.lang} /> : "—"}</td>
                  <td>
                    <RowActions v={v} inv={inv} status={list.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager v={v} first={list.first} next={list.next} />
    </section>
  );
}
