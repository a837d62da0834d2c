import { Hono } from "hono";
import { searchUsers } from "../../admin/users.js";
import { approveUser, declineUser } from "../../admin/user-status.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { AdminApprovalsPage, ApprovalsSection, type ApprovalQueue } from "../../../views/pages/admin-approvals.js";
import { formState, type FormState, type View } from "../../../views/view.js";
import { adminPage, doneNotice, queryString, requireAdmin } from "./admin-org-common.js";
import { attempt, failedForm, formBody, go, isHx } from "./render.js";

const notices = { approved: "admin.approvals.approved", declined: "admin.approvals.declined" };

/** The queue SPEC §3 describes: an admin sees their organization's applicants, an owner everyone's (personal ones too). */
function queueOf(c: Ctx, user: PageUser, cursor?: string): ApprovalQueue {
  const r = searchUsers(c.get("deps"), user.account, { status: "awaiting_approval", sort: "createdAt", order: "asc", limit: 50, cursor: cursor || undefined });
  return {
    items: r.items,
    total: r.total,
    first: cursor ? "/admin/approvals" : undefined,
    next: r.nextCursor ? `/admin/approvals${queryString({ cursor: r.nextCursor })}` : undefined,
    showOrganization: user.account.type === "owner",
  };
}

function approvalsPage(c: Ctx, user: PageUser, state: FormState, status?: number) {
  const queue = queueOf(c, user, c.req.method === "GET" ? c.req.query("cursor") : undefined);
  const body = (v: View) => <AdminApprovalsPage v={v} queue={queue} state={state} />;
  // htmx after a decision: the queue section, and the navigation with its badge's new count.
  const fragment = (v: View) => <ApprovalsSection v={v} queue={queue} state={state} />;
  return adminPage(c, user, { current: "/admin/approvals", title: "admin.approvals.title", here: "/admin/approvals", status, body, fragment, navChanged: c.req.method === "POST" });
}

async function decide(c: Ctx, done: keyof typeof notices, action: (user: PageUser, id: string, f: Record<string, string>) => unknown) {
  const user = requireAdmin(c);
  const f = await formBody(c);
  const r = await attempt(c, () => action(user, c.req.param("id") ?? "", f));
  if (r.ok && !isHx(c)) return go(c, `/admin/approvals?done=${done}`);
  if (r.ok) return approvalsPage(c, user, formState({}, { key: notices[done] }));
  // Someone else decided first (the service's "not waiting for approval"): say that, not "correct the fields".
  const state: FormState = r.err.fields?.status ? { values: {}, errors: {}, summary: { key: "admin.approvals.notWaiting" } } : failedForm(c, r.err, {});
  return approvalsPage(c, user, state, r.err.status);
}

/** /admin/approvals: applications that wait for an admin (registration policy `approval`). */
export const adminApprovalPages = new Hono<AppEnv>()
  .get("/admin/approvals", (c) => approvalsPage(c, requireAdmin(c), formState({}, doneNotice(c, notices))))
  .post("/admin/approvals/:id/approve", (c) => decide(c, "approved", (user, id) => approveUser(c.get("deps"), user.account, id, c.get("meta"))))
  .post("/admin/approvals/:id/decline", (c) => decide(c, "declined", (user, id, f) => declineUser(c.get("deps"), user.account, id, { reason: f.reason ?? "" }, c.get("meta"))));
