import type { Child } from "hono/jsx";
import { adminScope } from "../../admin/access.js";
import { searchUsers } from "../../admin/users.js";
import { getSettings } from "../../admin/settings.js";
import type { Ctx } from "../context.js";
import { assetUrl } from "../static.js";
import type { PageUser } from "./account-view.js";
import { AdminNav } from "../../../views/components/admin-nav.js";
import { CaptureLine } from "../../../views/partials/admin-mail-banner.js";
import type { AdminContext } from "../../../views/pages/admin-users.js";
import type { Message, View } from "../../../views/view.js";
import { isHx, page, sessionUser, viewOf } from "./render.js";

/**
 * The admin behind a page request. Visitors are sent to log in (the thrown
 * `unauthenticated` becomes that redirect), members get the 403 page.
 */
export function pageAdmin(c: Ctx): PageUser {
  const user = sessionUser(c);
  adminScope(user?.account);
  return user as PageUser;
}

export const isOwner = (user: PageUser): boolean => user.account.type === "owner";

export const adminContext = (c: Ctx, user: PageUser): AdminContext => ({
  owner: isOwner(user),
  deletionLocked: getSettings(c.var.deps).deletionLocked,
  selfId: user.account.id,
});

/**
 * An admin page in the layout with the admin navigation; htmx gets `fragment`
 * (default: the page's own body) alone (and the navigation, out of band, when
 * `navChanged`). `captureBanner`: the page shows the
 * full capture-mode banner itself (the mail page), so not the one-line one.
 */
export function adminPage(
  c: Ctx,
  user: PageUser,
  o: { current: string; title: string; body: (v: View) => Child; fragment?: (v: View) => Child; status?: number; here?: string; captureBanner?: boolean; navChanged?: boolean },
) {
  const v = viewOf(c, o.here);
  const main = o.body(v);
  // The approval queue's badge: one count over the admin's scope.
  const pending = () => searchUsers(c.var.deps, user.account, { status: "awaiting_approval", limit: 1 }).total;
  if (isHx(c)) {
    const fragment = o.fragment ? o.fragment(v) : main;
    // `navChanged`: the answer changed what the navigation counts (an approval decided), so it comes along.
    const nav = o.navChanged ? <AdminNav v={v} current={o.current} pendingApprovals={pending()} owner={isOwner(user)} oob /> : null;
    return page(c, { v, title: v.t(o.title), status: o.status, body: nav ? <>{fragment}{nav}</> : fragment });
  }
  // Captured mail reaches nobody: every admin page says so, and where to read it (SPEC §5).
  const capture = c.var.deps.config.mail.transport === "capture" && !o.captureBanner;
  const body = (
    <div class="admin">
      <AdminNav v={v} current={o.current} pendingApprovals={pending()} owner={isOwner(user)} />
      {capture && <CaptureLine v={v} />}
      {main}
      {/* The layout loads app.js for every page; the admin pages add their own helpers. */}
      <script src={assetUrl("admin.js")} defer></script>
    </div>
  );
  return page(c, { v, title: v.t(o.title), status: o.status, body });
}

/** `?done=<name>` after a post/redirect/get: the notice it names, if the page knows it. */
export function doneNotice(c: Ctx, known: Record<string, string>): Message | undefined {
  const done = c.req.query("done") ?? "";
  // Own keys only: "?done=constructor" must not find Object.prototype's function.
  const key = Object.hasOwn(known, done) ? known[done] : undefined;
  return key ? { key } : undefined;
}
