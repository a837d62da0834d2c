import { Hono } from "hono";
import { listAudit } from "../../admin/audit-query.js";
import { dashboardSummary } from "../../admin/dashboard.js";
import { storageSummary } from "../../admin/storage.js";
import type { AppEnv } from "../context.js";
import { AdminDashboardPage } from "../../../views/pages/admin-dashboard.js";
import { adminPage, pageAdmin } from "./admin-users-shared.js";

/** /admin: the admin console's first page — accounts at a glance, the mail queue, what happened last. */
export const adminDashboardPages = new Hono<AppEnv>().get("/admin", (c) => {
  const user = pageAdmin(c);
  const deps = c.get("deps");
  const summary = dashboardSummary(deps, user.account);
  const audit = listAudit(deps, user.account, { limit: 10 }).items;
  // The data volume is the whole server's: the owner's to watch.
  const storage = user.account.type === "owner" ? storageSummary(deps, user.account) : null;
  return adminPage(c, user, { current: "/admin", title: "admin.dashboard.title", body: (v) => <AdminDashboardPage v={v} s={summary} audit={audit} storage={storage} capture={deps.config.mail.transport === "capture"} /> });
});
