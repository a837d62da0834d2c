import type { PresentedAccount } from "../../server/accounts/present.js";
import { FormMessages, hxForm } from "../components/form.js";
import { AdminHeading, Pager } from "../partials/admin-org-parts.js";
import { Time } from "../partials/sessions-section.js";
import type { FormState, View } from "../view.js";

export interface ApprovalQueue {
  items: PresentedAccount[];
  total: number;
  first?: string;
  next?: string;
  /** An owner sees applications of every organization and personal ones: say which. */
  showOrganization: boolean;
}

/** Approve at once; decline with a reason that goes into the mail (the account is then removed). */
function Decide({ v, a }: { v: View; a: PresentedAccount }) {
  const t = v.t;
  const id = encodeURIComponent(a.id);
  return (
    <div class="ao-decide">
      <form {...hxForm(`/admin/approvals/${id}/approve`, "#approvals")} class="inline">
        <button type="submit" class="btn btn-primary" aria-label={t("admin.approvals.approveLabel", { name: a.displayName })}>
          {t("admin.approvals.approve")}
        </button>
      </form>
      <form {...hxForm(`/admin/approvals/${id}/decline`, "#approvals")} class="ao-decline" hx-confirm={t("admin.approvals.declineConfirm", { name: a.displayName })}>
        {/* A label in sight, not only the placeholder (which goes as soon as one types). */}
        <label for={`reason-${a.id}`} class="ao-decline-label">
          {t("admin.approvals.reasonLabel", { name: a.displayName })}
        </label>
        <input id={`reason-${a.id}`} name="reason" type="text" maxlength={1000} placeholder={t("admin.approvals.reasonPlaceholder")} />
        <button type="submit" class="btn btn-danger" aria-label={t("admin.approvals.declineLabel", { name: a.displayName })}>
          {t("admin.approvals.decline")}
        </button>
      </form>
    </div>
  );
}

/** The applications waiting for approval, oldest first; htmx swaps this section after each decision. */
export function ApprovalsSection({ v, queue, state }: { v: View; queue: ApprovalQueue; state: FormState }) {
  const t = v.t;
  return (
    <section id="approvals" class="card" aria-labelledby="approvals-title">
      <h2 id="approvals-title">{t("admin.approvals.queue", { count: queue.total })}</h2>
      <FormMessages v={v} state={state} fields={[]} />
      {queue.items.length === 0 ? (
        <p class="muted ao-empty">{t("admin.approvals.empty")}</p>
      ) : (
        <ul class="ao-queue">
          {queue.items.map((a) => (
            <li class="ao-applicant">
              <div class="ao-applicant-who">
                <strong>{a.displayName}</strong> <span class="mono muted">{a.userId}</span>
                <div class="ao-email">{a.email ?? "—"}</div>
                <div class="hint">
                  {a.createdAt && (
                    <>
                      {t("admin.approvals.applied")} <Time iso={a.createdAt} lang={v.lang} />
                    </>
                  )}
                  {queue.showOrganization && <> · {a.organization?.name || t("account.summary.personal")}</>}
                </div>
              </div>
              <Decide v={v} a={a} />
            </li>
          ))}
        </ul>
      )}
      <Pager v={v} first={queue.first} next={queue.next} />
    </section>
  );
}

export function AdminApprovalsPage({ v, queue, state }: { v: View; queue: ApprovalQueue; state: FormState }) {
  return (
    <>
      <AdminHeading v={v} title="admin.approvals.title" intro="admin.approvals.intro" />
      <ApprovalsSection v={v} queue={queue} state={state} />
    </>
  );
}
