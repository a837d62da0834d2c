import { Hono } from "hono";
import { createUser } from "../../admin/user-actions.js";
import { visibleOrganizations } from "../../organizations/manage.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { CreateUserDialog, CreateUserSection } from "../../../views/partials/admin-user-create.js";
import { formState, type FormState, type View } from "../../../views/view.js";
import type { CreateResult } from "../../admin/user-actions.js";
import { adminPage, isOwner, pageAdmin } from "./admin-users-shared.js";
import { attempt, failedForm, formBody, isHx } from "./render.js";

const createText = ["type", "userId", "nickname", "groupName", "avatarUrl", "email", "password", "language", "organizationId"] as const;

function createAnswer(c: Ctx, user: PageUser, o: { state: FormState; result?: CreateResult; status?: number; dialog?: boolean }) {
  // A single-organization server shows no organization chooser (SPEC: nothing to choose).
  const allOrgs = isOwner(user) ? visibleOrganizations(c.var.deps, user.account).map((o) => ({ id: o.id, name: o.name })) : [];
  const orgs = allOrgs.length > 1 ? allOrgs : null;
  const section = (v: View, page = false) => <CreateUserSection v={v} state={o.state} orgs={orgs} result={o.result} page={page} />;
  return adminPage(c, user, {
    current: "/admin/users",
    title: "admin.create.title",
    status: o.status,
    here: "/admin/users/new",
    body: (v) => (
      <div class="card narrow-wide">
        <div id="admin-dialog"></div>
        {section(v, true)}
        <p class="aside">
          <a href="/admin/users">{v.t("admin.create.backToUsers")}</a>
        </p>
      </div>
    ),
    // htmx: a new dialog for the button, the section alone for the dialog's own form.
    fragment: (v) => (o.dialog ? <CreateUserDialog v={v}>{section(v)}</CreateUserDialog> : section(v)),
  });
}

/** /admin/users/new: the create account dialog (SPEC §3 admin-created accounts, three outcomes). */
export const adminUsersNewPages = new Hono<AppEnv>()
  .get("/admin/users/new", (c) => {
    const user = pageAdmin(c);
    const owner = isOwner(user);
    // The new account's language starts as the one this page is in (a Japanese admin's new account gets Japanese mail).
    return createAnswer(c, user, { state: formState({ type: "general", language: c.get("lang"), organizationId: owner ? (user.account.organizationId ?? "") : "" }), dialog: true });
  })
  .post("/admin/users/new", async (c) => {
    const user = pageAdmin(c);
    const f = await formBody(c);
    const input: Record<string, string> = {};
    for (const k of createText) if (f[k] !== undefined) input[k] = f[k];
    if (!isOwner(user)) delete input.organizationId;
    const r = await attempt(c, () => createUser(c.var.deps, user.account, input, c.var.meta));
    if (!r.ok) return createAnswer(c, user, { state: failedForm(c, r.err, f, ["password"]), status: r.err.status });
    // The table behind the dialog reloads itself to show the new account.
    if (isHx(c)) c.header("hx-trigger", "users-changed");
    return createAnswer(c, user, { state: formState({ language: c.get("lang") }), result: r.value, status: 201 });
  });
