import { Hono } from "hono";
import type { PresentedAccount } from "../../accounts/present.js";
import { getUser } from "../../admin/user-actions.js";
import { batchDelete } from "../../admin/user-delete.js";
import { bulkPreview, bulkStatus, isBulkAction, type BulkAction } from "../../admin/user-bulk.js";
import { exportUsers } from "../../admin/export.js";
import { searchUsers, sortKeys } from "../../admin/users.js";
import { accountStatuses, accountTypes } from "../../db/schema.js";
import { visibleOrganizations } from "../../organizations/manage.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { AdminUsersPage } from "../../../views/pages/admin-users.js";
import { BatchConfirmPage, BatchResultPage, type Picked } from "../../../views/pages/admin-users-delete.js";
import { BulkConfirmPage, BulkResultPage } from "../../../views/pages/admin-users-bulk.js";
import { UserRows, UsersResults, usersHref, type UsersPage, type UsersQuery } from "../../../views/partials/admin-users-table.js";
import { adminContext, adminPage, doneNotice, isOwner, pageAdmin } from "./admin-users-shared.js";
import { AppError } from "../../errors.js";
import { attempt, go, isHx, parsedForm } from "./render.js";
import { download } from "../download.js";

const PAGE_SIZE = 50;
const MAX_SELECTED = 1000;
const notices = { deleted: "admin.users.done.deleted", declined: "admin.users.done.declined", none_selected: "admin.users.done.noneSelected" };

const pick = <T extends string>(list: readonly T[], v: string | undefined): T | "" => (list.includes(v as T) ? (v as T) : "");

/** The table's query from the URL; a value the service would refuse (an unknown status…) reads as no filter. */
export function usersQuery(c: Ctx, owner: boolean): UsersQuery {
  const get = (k: string) => (c.req.query(k) ?? "").trim();
  return {
    q: get("q").slice(0, 200),
    type: pick(accountTypes, get("type")),
    status: pick(accountStatuses, get("status")),
    group: get("group").slice(0, 1000),
    organizationId: owner ? get("organizationId").slice(0, 64) : "",
    sort: pick(sortKeys, get("sort")) || "userId",
    order: get("order") === "desc" ? "desc" : "asc",
  };
}

function search(c: Ctx, user: PageUser, q: UsersQuery): UsersPage {
  const cursor = c.req.query("cursor");
  const from = Math.max(0, Math.min(Number.parseInt(c.req.query("from") ?? "0", 10) || 0, 10_000_000));
  const query = { ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== "")), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) };
  const r = searchUsers(c.var.deps, user.account, query);
  return { ...r, from: cursor ? from : 0 };
}

/** A checked row, with what a bulk action's preview needs (bulkPreview). */
type PickedAccount = Picked & Pick<PresentedAccount, "type" | "status" | "email">;

/** The checked rows of the bulk form, once each, as accounts this admin can see (unknown ids are left out). */
async function picked(c: Ctx, user: PageUser): Promise<{ action: string; ids: string[]; accounts: PickedAccount[] }> {
  const body = await parsedForm(c, true);
  const raw = body.ids;
  const ids = [...new Set((Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((x): x is string => typeof x === "string" && x.length > 0))].slice(0, MAX_SELECTED);
  const accounts: PickedAccount[] = [];
  for (const id of ids) {
    const r = await attempt(c, () => getUser(c.var.deps, user.account, id));
    if (r.ok) accounts.push({ id, userId: r.value.userId, displayName: r.value.displayName, type: r.value.type, status: r.value.status, email: r.value.email });
  }
  return { action: typeof body.action === "string" ? body.action : "", ids, accounts };
}

/** Disable, enable or a new setup link for each picked account, and the page that says how each went. */
function bulkResult(c: Ctx, user: PageUser, action: BulkAction, accounts: Picked[], unknown: number) {
  const results = bulkStatus(c.var.deps, user.account, action, accounts.map((a) => a.id), c.var.meta);
  return adminPage(c, user, { current: "/admin/users", title: `admin.users.bulk.doneTitle.${action}`, body: (v) => <BulkResultPage v={v} action={action} results={results} unknown={unknown} /> });
}

/** /admin/users: the users table, its fragments, and the batch actions over checked rows. */
export const adminUsersPages = new Hono<AppEnv>()
  .get("/admin/users", (c) => {
    const user = pageAdmin(c);
    const owner = isOwner(user);
    const q = usersQuery(c, owner);
    const page = search(c, user, q);
    // The history gets the canonical URL of the search — except when the table reloads itself after a change elsewhere.
    if (isHx(c) && c.req.header("hx-trigger") !== "users-results") c.header("hx-push-url", usersHref(q));
    // A single-organization server shows no organization chooser (SPEC: nothing to choose).
    const allOrgs = owner ? visibleOrganizations(c.var.deps, user.account).map((o) => ({ id: o.id, name: o.name })) : [];
    const orgs = allOrgs.length > 1 ? allOrgs : null;
    return adminPage(c, user, {
      current: "/admin/users",
      title: "admin.users.title",
      body: (v) => <AdminUsersPage v={v} q={q} page={page} owner={owner} orgs={orgs} notice={doneNotice(c, notices)} />,
      fragment: (v) => <UsersResults v={v} q={q} page={page} owner={owner} />,
    });
  })
  .get("/admin/users/rows", (c) => {
    const user = pageAdmin(c);
    const owner = isOwner(user);
    const q = usersQuery(c, owner);
    // A browser without htmx asked for rows alone: show it the page they belong to.
    if (!isHx(c)) return go(c, usersHref(q, { cursor: c.req.query("cursor") ?? "", from: c.req.query("from") ?? "0" }));
    const page = search(c, user, q);
    const start = Math.max(1, Math.min(Number.parseInt(c.req.query("start") ?? "", 10) || page.from + 1, page.from + 1));
    return adminPage(c, user, { current: "/admin/users", title: "admin.users.title", body: (v) => <UserRows v={v} q={q} page={page} owner={owner} start={start} /> });
  })
  .post("/admin/users/bulk", async (c) => {
    const user = pageAdmin(c);
    const { action, ids, accounts } = await picked(c, user);
    if (accounts.length === 0) return go(c, "/admin/users?done=none_selected");
    if (action === "csv" || action === "json") {
      // The same service as GET /api/v1/admin/users/export?ids=…; posted, so a long selection never outgrows a URL.
      const x = exportUsers(c.var.deps, user.account, { format: action, ids: accounts.map((a) => a.id).join(",") }, c.var.meta);
      return download(c, x);
    }
    // Disabling ends sessions, enabling lets people in again, a setup link is mail that cannot be called back: each asks first.
    if (isBulkAction(action)) {
      const previewed = accounts.map((a) => ({ ...a, skip: bulkPreview(user.account, action, a) }));
      return adminPage(c, user, { current: "/admin/users", title: `admin.users.bulk.title.${action}`, body: (v) => <BulkConfirmPage v={v} action={action} accounts={previewed} unknown={ids.length - accounts.length} /> });
    }
    const ctx = adminContext(c, user);
    return adminPage(c, user, {
      current: "/admin/users",
      title: "admin.users.delete.title",
      status: ctx.deletionLocked ? 403 : 200,
      body: (v) => <BatchConfirmPage v={v} accounts={accounts} unknown={ids.length - accounts.length} ctx={ctx} />,
    });
  })
  .post("/admin/users/batch-delete", async (c) => {
    const user = pageAdmin(c);
    const { accounts } = await picked(c, user);
    if (accounts.length === 0) return go(c, "/admin/users?done=none_selected");
    const r = await attempt(c, () => batchDelete(c.var.deps, user.account, { ids: accounts.map((a) => a.id) }, c.var.meta));
    const ctx = adminContext(c, user);
    if (!r.ok) {
      return adminPage(c, user, { current: "/admin/users", title: "admin.users.delete.title", status: r.err.status, body: (v) => <BatchConfirmPage v={v} accounts={accounts} unknown={0} ctx={ctx} error={r.err.code} /> });
    }
    const results = r.value.map((x) => ({ ...x, userId: accounts.find((a) => a.id === x.id)?.userId ?? x.id }));
    return adminPage(c, user, { current: "/admin/users", title: "admin.users.delete.doneTitle", body: (v) => <BatchResultPage v={v} results={results} /> });
  })
  .post("/admin/users/batch-status", async (c) => {
    const user = pageAdmin(c);
    const { action, ids, accounts } = await picked(c, user);
    if (!isBulkAction(action)) throw new AppError("validation_failed");
    if (accounts.length === 0) return go(c, "/admin/users?done=none_selected");
    return bulkResult(c, user, action, accounts, ids.length - accounts.length);
  });
