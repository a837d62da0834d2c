import { Hono } from "hono";
import type { AppError } from "../../errors.js";
import type { AppEnv, Ctx } from "../context.js";
import { ErrorFlash, ErrorPage } from "../../../views/pages/error.js";
import { accountPages } from "./account.js";
import { homePages } from "./home.js";
import { loginPages } from "./login.js";
import { passwordPages } from "./password.js";
import { registerPages } from "./register.js";
import { sessionPages } from "./sessions.js";
import { adminDashboardPages } from "./admin-dashboard.js";
import { adminUsersPages } from "./admin-users.js";
import { adminUsersNewPages } from "./admin-users-new.js";
import { adminImportPages } from "./admin-import.js";
import { adminUserPages } from "./admin-user.js";
import { adminSettingsPages } from "./admin-settings.js";
import { adminOrganizationPages } from "./admin-organizations.js";
import { adminInvitationPages } from "./admin-invitations.js";
import { adminApprovalPages } from "./admin-approvals.js";
import { adminApiKeyPages } from "./admin-api-keys.js";
import { adminAuditPages } from "./admin-audit.js";
import { adminMailPages } from "./admin-mail.js";
import { invitePages } from "./invite.js";
import { setupPages } from "./setup.js";
import { peoplePages } from "./people.js";
import { asTitle, errorMessage, go, isHx, page, viewOf } from "./render.js";

/** The htmx pages (register, log in, account…). */
export const pages = new Hono<AppEnv>()
  .route("/", homePages)
  .route("/", registerPages)
  .route("/", loginPages)
  .route("/", passwordPages)
  .route("/", accountPages)
  .route("/", sessionPages)
  // Admin users pages: the fixed paths (/admin/users/new, /admin/users/import…) before /admin/users/:id.
  .route("/", adminDashboardPages)
  .route("/", adminUsersPages)
  .route("/", adminUsersNewPages)
  .route("/", adminImportPages)
  .route("/", adminUserPages)
  .route("/", adminSettingsPages)
  .route("/", adminOrganizationPages)
  .route("/", adminInvitationPages)
  .route("/", adminApprovalPages)
  .route("/", adminApiKeyPages)
  .route("/", adminAuditPages)
  .route("/", adminMailPages)
  .route("/", invitePages)
  .route("/", setupPages)
  .route("/", peoplePages);

/**
 * A page for an error that no form could show, with the error's status. A
 * page that needs a log in sends the visitor there instead; for htmx the
 * message goes into the page's #flash region so the form stays as it was.
 */
export function renderErrorPage(c: Ctx, err: AppError): Response {
  if (err.code === "unauthenticated") {
    const url = new URL(c.req.url);
    const back = c.req.method === "GET" ? url.pathname + url.search : url.pathname.startsWith("/account") ? "/account" : "/";
    return go(c, `/login?next=${encodeURIComponent(back)}`);
  }
  // Hono's csrf() refusal arrives as `forbidden` with this detail (server/app.ts).
  // A 400 with no field to mark (a broken request, not a form): say so, not "correct the marked fields".
  const msg =
    err.code === "forbidden" && err.message.includes("CSRF")
      ? { key: "error.csrf" }
      : err.code === "validation_failed" && !err.fields
        ? { key: "error.bad_request" }
        : errorMessage(err);
  if (err.retryAfter) c.header("retry-after", String(err.retryAfter));
  const v = viewOf(c);
  if (isHx(c)) {
    c.header("hx-retarget", "#flash");
    c.header("hx-reswap", "innerHTML");
  }
  return page(c, { v, title: asTitle(v.t(msg.key, { seconds: err.retryAfter ?? 60 })), status: err.status, body: <ErrorPage v={v} status={err.status} msg={msg} />, fragment: <ErrorFlash v={v} msg={msg} /> });
}
