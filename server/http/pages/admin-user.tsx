import { Hono } from "hono";
import type { PresentedAccount } from "../../accounts/present.js";
import { adminScope, mayChange } from "../../admin/access.js";
import { getUser, newSetupLink, setTemporaryPassword, updateUser, type SetupLinkResult } from "../../admin/user-actions.js";
import { deleteUser } from "../../admin/user-delete.js";
import { approveUser, declineUser, demoteUser, disableUser, enableUser, endUserSessions, markEmailVerified, promoteUser } from "../../admin/user-status.js";
import type { Deps, RequestMeta } from "../../deps.js";
import type { Account } from "../../db/schema.js";
import { AppError } from "../../errors.js";
import type { AppEnv, Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { DeleteUserPage, UserAdmin, type UserAdminProps } from "../../../views/pages/admin-user.js";
import { userActions, type UserAction } from "../../../views/partials/admin-user-actions.js";
import { userFormValues } from "../../../views/partials/admin-user-form.js";
import { formState, type FormState, type Message } from "../../../views/view.js";
import { adminContext, adminPage, pageAdmin } from "./admin-users-shared.js";
import { attempt, errorMessage, failedForm, formBody, go, isHx } from "./render.js";

type Run = (deps: Deps, actor: Account, id: string, meta: RequestMeta, f: Record<string, string>) => unknown;
const run: Record<UserAction, Run> = {
  promote: promoteUser,
  demote: demoteUser,
  disable: disableUser,
  enable: enableUser,
  "end-sessions": endUserSessions,
  "verify-email": markEmailVerified,
  "setup-link": newSetupLink,
  "temporary-password": (deps, actor, id, meta, f) => setTemporaryPassword(deps, actor, id, { password: f.password ?? "" }, meta),
  approve: approveUser,
  decline: (deps, actor, id, meta, f) => declineUser(deps, actor, id, { reason: f.reason ?? "" }, meta),
};

/** `?done=` after a post without JavaScript: the notice of what was done. */
const doneKeys: Record<string, string> = Object.fromEntries(["saved", ...userActions].map((k) => [k, `admin.user.done.${k}`]));

const profileText = ["nickname", "email", "avatarUrl", "groupName", "gender", "birthDate", "location", "statusMessage", "language", "friendPolicy"] as const;

/** The edit form as updateUser takes it: unticked checkboxes send nothing (false), numbers are numbers. */
function profileInput(f: Record<string, string>) {
  const input: Record<string, unknown> = {};
  for (const k of profileText) if (k in f) input[k] = f[k];
  input.messageSettings = { pushOffline: f.pushOffline === "on" };
  input.friendingForbidden = f.friendingForbidden === "on";
  // An empty box is not 0: NaN (like "1.5") makes the service name the field.
  for (const k of ["level", "role"] as const) {
    const s = f[k]?.trim();
    if (s !== undefined) input[k] = s === "" ? Number.NaN : Number(s);
  }
  return input;
}

/** The services refuse every change an actor may not make (an owner, by an admin): the page offers none of them either. */
const locked = (user: PageUser, a: PresentedAccount) => !mayChange(adminScope(user.account), a);

function userPage(c: Ctx, user: PageUser, a: PresentedAccount, o: { form?: FormState; message?: UserAdminProps["message"]; status?: number; setupUrl?: string; passwordForm?: FormState } = {}) {
  const ctx = adminContext(c, user);
  const form = o.form ?? formState(userFormValues(a));
  const here = `/admin/users/${encodeURIComponent(a.id)}`;
  const readOnly = locked(user, a);
  return adminPage(c, user, { current: "/admin/users", title: "admin.user.title", status: o.status, here, body: (v) => <UserAdmin v={v} a={a} form={form} ctx={ctx} message={o.message} setupUrl={o.setupUrl} passwordForm={o.passwordForm} locked={readOnly} /> });
}

/** After a form: htmx gets the region in place; a plain POST gets post/redirect/get, or the page with the error. */
function answer(c: Ctx, user: PageUser, id: string, o: { done: string; a?: PresentedAccount; form?: FormState; passwordForm?: FormState; error?: AppError }) {
  if (!o.error && !isHx(c)) return go(c, `/admin/users/${encodeURIComponent(id)}?done=${o.done}`);
  const a = o.a ?? getUser(c.get("deps"), user.account, id);
  // A form that shows its own error (the profile, the temporary password) gets no alert above it.
  const message: UserAdminProps["message"] = o.error ? (o.form || o.passwordForm ? undefined : { kind: "error", msg: errorMessage(o.error) }) : { kind: "ok", msg: { key: `admin.user.done.${o.done}` } };
  return userPage(c, user, a, { form: o.form, passwordForm: o.passwordForm, message, status: o.error?.status });
}

/** /admin/users/:id: edit one account, act on it, delete it. */
export const adminUserPages = new Hono<AppEnv>()
  .get("/admin/users/:id", (c) => {
    const user = pageAdmin(c);
    const a = getUser(c.get("deps"), user.account, c.req.param("id"));
    const done = c.req.query("done") ?? "";
    // Own keys only: ?done=constructor must not find Object.prototype's.
    const key = Object.hasOwn(doneKeys, done) ? doneKeys[done] : undefined;
    return userPage(c, user, a, { message: key ? { kind: "ok", msg: { key } } : undefined });
  })
  .post("/admin/users/:id", async (c) => {
    const user = pageAdmin(c);
    const id = c.req.param("id");
    const f = await formBody(c);
    const r = await attempt(c, () => updateUser(c.get("deps"), user.account, id, profileInput(f), c.get("meta")));
    if (!r.ok) return answer(c, user, id, { done: "saved", error: r.err, form: failedForm(c, r.err, f) });
    const saved: FormState = formState(userFormValues(r.value), { key: "admin.user.done.saved" });
    if (!isHx(c)) return go(c, `/admin/users/${encodeURIComponent(id)}?done=saved`);
    return userPage(c, user, r.value, { form: saved });
  })
  .get("/admin/users/:id/delete", (c) => {
    const user = pageAdmin(c);
    const a = getUser(c.get("deps"), user.account, c.req.param("id"));
    const ctx = adminContext(c, user);
    const readOnly = locked(user, a);
    return adminPage(c, user, { current: "/admin/users", title: "admin.user.delete.short", status: ctx.deletionLocked || readOnly ? 403 : 200, body: (v) => <DeleteUserPage v={v} a={a} ctx={ctx} locked={readOnly} /> });
  })
  .post("/admin/users/:id/delete", async (c) => {
    const user = pageAdmin(c);
    const id = c.req.param("id");
    const a = getUser(c.get("deps"), user.account, id);
    const r = await attempt(c, () => deleteUser(c.get("deps"), user.account, id, c.get("meta")));
    if (r.ok) return go(c, "/admin/users?done=deleted");
    const ctx = adminContext(c, user);
    const error: Message = errorMessage(r.err);
    const readOnly = locked(user, a);
    return adminPage(c, user, { current: "/admin/users", title: "admin.user.delete.short", status: r.err.status, body: (v) => <DeleteUserPage v={v} a={a} ctx={ctx} error={error} locked={readOnly} /> });
  })
  .post("/admin/users/:id/:action", async (c) => {
    const user = pageAdmin(c);
    const id = c.req.param("id");
    const action = c.req.param("action") as UserAction;
    if (!userActions.includes(action)) throw new AppError("not_found");
    const f = await formBody(c);
    const r = await attempt(c, () => run[action](c.get("deps"), user.account, id, c.get("meta"), f));
    if (!r.ok) {
      // A refused temporary password ("at least 8 characters") is said under its field, with what was typed.
      const passwordForm = action === "temporary-password" && r.err.fields?.password ? failedForm(c, r.err, { password: f.password ?? "" }) : undefined;
      return answer(c, user, id, { done: action, error: r.err, passwordForm });
    }
    // A link to hand over is shown once: on this answer, never after a redirect.
    const setupUrl = action === "setup-link" ? (r.value as SetupLinkResult).setupUrl : undefined;
    if (setupUrl) return userPage(c, user, (r.value as SetupLinkResult).user, { message: { kind: "ok", msg: { key: "admin.user.done.setup-link-handover" } }, setupUrl });
    // A declined application is gone: back to the queue it came from.
    if (action === "decline") return go(c, "/admin/users?status=awaiting_approval&done=declined");
    return answer(c, user, id, { done: action });
  });
