import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { login, logout } from "../../accounts/login.js";
import { acceptInvitation, describeInvitation } from "../../organizations/accept.js";
import { isAppError } from "../../errors.js";
import { clearSessionCookie, setSessionCookie } from "../auth.js";
import type { AppEnv, Ctx } from "../context.js";
import { formState, type FormState } from "../../../views/view.js";
import { InviteConfirmMovePage, InviteLoginPage, InviteNewAccountPage, type Invite } from "../../../views/pages/invite.js";
import { InviteAlreadyMemberPage, InviteDeadPage, InviteManagedElsewherePage, InviteWrongAccountPage, type DeadReason } from "../../../views/partials/invite-notices.js";
import { attempt, failedForm, formBody, go, page, sessionUser, viewOf } from "./render.js";

/** What the link is, or null for a link that is not (or no longer) a registration request's. */
function describe(c: Ctx, token: string) {
  try {
    return describeInvitation(c.get("deps"), token, sessionUser(c)?.account ?? null);
  } catch (e) {
    if (isAppError(e)) return null;
    throw e;
  }
}

const deadStatus: Record<DeadReason, number> = { invalid: 404, expired: 410, revoked: 410, accepted: 410 };

/**
 * The page a registration request's link opens, in whatever state the
 * request and the visitor are: `form` is the state of the form the visitor
 * just sent (new account, log in, or the move confirmation).
 */
function show(c: Ctx, token: string, o: { form?: FormState; status?: number } = {}) {
  const viewer = sessionUser(c);
  const v = viewOf(c, `/invite/${encodeURIComponent(token)}`);
  const r = describe(c, token);
  const title = v.t("invite.pageTitle");
  const dead = (reason: DeadReason, organization?: string) => page(c, { v, title, status: deadStatus[reason], body: <InviteDeadPage v={v} reason={reason} organization={organization} /> });
  if (!r) return dead("invalid");
  const inv: Invite = { ...r, token };
  const render = (body: Child) => page(c, { v, title, status: o.status, body });
  if (r.status === "accepted" && r.viewerMatches) return render(<InviteAlreadyMemberPage v={v} inv={inv} isViewer />);
  if (r.status !== "pending") return dead(r.status, r.organization.name);
  switch (r.mode) {
    case "new_account":
      return render(<InviteNewAccountPage v={v} inv={inv} state={o.form ?? formState()} loggedInAs={viewer ? v.user?.name : undefined} />);
    case "already_member":
      return render(<InviteAlreadyMemberPage v={v} inv={inv} isViewer={r.viewerMatches === true} />);
    case "managed_by_other_organization":
      return render(<InviteManagedElsewherePage v={v} inv={inv} />);
    default:
      if (!viewer) return render(<InviteLoginPage v={v} inv={inv} state={o.form ?? formState({ login: r.email })} />);
      if (!r.viewerMatches) return render(<InviteWrongAccountPage v={v} inv={inv} current={v.user?.name ?? ""} />);
      return render(<InviteConfirmMovePage v={v} inv={inv} state={o.form ?? formState()} />);
  }
}

/** The session cookie this browser had is about to be replaced: end that session rather than leave it behind. */
function endPreviousSession(c: Ctx) {
  const previous = sessionUser(c);
  if (previous?.via === "cookie") logout(c.get("deps"), previous, c.get("meta"));
}

/** /invite/:token — accepting a registration request (SPEC §3): a new account, or a personal account moving in. */
export const invitePages = new Hono<AppEnv>()
  .get("/invite/:token", (c) => show(c, c.req.param("token")))
  .post("/invite/:token", async (c) => {
    const token = c.req.param("token");
    const f = await formBody(c);
    const input = { userId: (f.userId ?? "").trim(), nickname: f.nickname ?? "", password: f.password ?? "" };
    const r = await attempt(c, () => acceptInvitation(c.get("deps"), token, input, sessionUser(c)?.account ?? null, c.get("meta")));
    if (!r.ok) return show(c, token, { form: failedForm(c, r.err, f, ["password"]), status: r.err.status });
    if (r.value.mode !== "new_account") return go(c, "/account?notice=joined");
    endPreviousSession(c);
    setSessionCookie(c, r.value.token, r.value.expiresAt, c.get("deps").config.secureCookies);
    return go(c, "/account");
  })
  .post("/invite/:token/login", async (c) => {
    const token = c.req.param("token");
    const f = await formBody(c);
    const r = await attempt(c, () => login(c.get("deps"), { login: f.login ?? "", password: f.password ?? "" }, c.get("meta")));
    if (!r.ok) return show(c, token, { form: failedForm(c, r.err, f, ["password"]), status: r.err.status });
    endPreviousSession(c);
    setSessionCookie(c, r.value.token, r.value.expiresAt, c.get("deps").config.secureCookies);
    // Back to the link, which now shows the confirmation (or whose request it is).
    return go(c, `/invite/${encodeURIComponent(token)}`);
  })
  .post("/invite/:token/accept", async (c) => {
    const token = c.req.param("token");
    const viewer = sessionUser(c);
    const r = await attempt(c, () => acceptInvitation(c.get("deps"), token, {}, viewer?.account ?? null, c.get("meta")));
    if (!r.ok) {
      // Not logged in, or as someone else: the link's own page says what to do.
      if (r.err.code === "unauthenticated" || r.err.code === "forbidden") return go(c, `/invite/${encodeURIComponent(token)}`);
      return show(c, token, { form: failedForm(c, r.err, {}), status: r.err.status });
    }
    return go(c, "/account?notice=joined");
  })
  .post("/invite/:token/logout", (c) => {
    const viewer = sessionUser(c);
    if (viewer) logout(c.get("deps"), viewer, c.get("meta"));
    clearSessionCookie(c, c.get("deps").config.secureCookies);
    return go(c, `/invite/${encodeURIComponent(c.req.param("token"))}`);
  });
