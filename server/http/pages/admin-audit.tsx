import { Hono } from "hono";
import { auditChainStatus, listAudit } from "../../admin/audit-query.js";
import type { AppEnv } from "../context.js";
import { AdminAuditPage, auditFilters, type AuditRow } from "../../../views/pages/admin-audit.js";
import { formState, type View } from "../../../views/view.js";
import { adminPage, queryString, requireAdmin } from "./admin-org-common.js";
import { attempt, failedForm } from "./render.js";

/** /admin/audit: who did what to whom, when, from where; and whether the hash chain holds. */
export const adminAuditPages = new Hono<AppEnv>().get("/admin/audit", async (c) => {
  const user = requireAdmin(c);
  // Only the filters that are filled in: an empty date field is no filter, not an invalid date.
  const filters: Record<string, string> = {};
  for (const k of auditFilters) {
    const value = c.req.query(k)?.trim();
    if (value) filters[k] = value;
  }
  const cursor = c.req.query("cursor") || undefined;
  const r = await attempt(c, () => listAudit(c.get("deps"), user.account, { ...filters, cursor, limit: 50 }));
  const chain = auditChainStatus(c.get("deps"), user.account);
  const rows: AuditRow[] = r.ok ? r.value.items : [];
  const state = r.ok ? formState(filters) : failedForm(c, r.err, filters);
  const first = cursor ? `/admin/audit${queryString(filters)}` : undefined;
  const next = r.ok && r.value.nextCursor ? `/admin/audit${queryString({ ...filters, cursor: r.value.nextCursor })}` : undefined;
  const body = (v: View) => <AdminAuditPage v={v} chain={chain} filters={state} rows={rows} total={r.ok ? r.value.total : 0} first={first} next={next} />;
  return adminPage(c, user, { current: "/admin/audit", title: "admin.audit.title", status: r.ok ? 200 : r.err.status, body });
});
