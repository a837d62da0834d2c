import { adminScope, ownerScope } from "../../admin/access.js";
import type { Ctx } from "../context.js";
import type { PageUser } from "./account-view.js";
import { sessionUser } from "./render.js";

/** One admin page frame (layout, admin navigation with the approval badge) for every admin page. */
export { adminPage, doneNotice } from "./admin-users-shared.js";

/**
 * The logged-in admin of a page request, or (thrown, and rendered by the
 * pages' error handler) a trip to log in for visitors and a 403 for anyone
 * else. `owner`: the server-wide pages (settings, organizations).
 */
export function requireAdmin(c: Ctx, o: { owner?: boolean } = {}): PageUser {
  const user = sessionUser(c);
  (o.owner ? ownerScope : adminScope)(user?.account);
  return user as PageUser;
}

/** Query parameters that are set, as a string for links (`?a=1&b=2`, or ""). */
export function queryString(params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
