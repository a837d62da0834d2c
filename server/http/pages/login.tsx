import { Hono } from "hono";
import { login, logout } from "../../accounts/login.js";
import { clearSessionCookie, setSessionCookie } from "../auth.js";
import type { AppEnv, Ctx } from "../context.js";
import { formState, type FormState, type Message } from "../../../views/view.js";
import { LoginPage } from "../../../views/pages/login.js";
import { canRegister } from "./register.js";
import { attempt, failedForm, formBody, go, page, safeNext, sessionUser, viewOf } from "./render.js";

/** Notices other pages send people here with (`/login?notice=…`); anything else is ignored. */
const notices: Record<string, string> = {
  logged_out: "page.login.loggedOut",
  password_reset: "page.login.passwordReset",
};

function loginPage(c: Ctx, o: { state: FormState; next: string; status?: number; notice?: Message; resend?: { email?: string } }) {
  const v = viewOf(c, o.next === "/account" ? "/login" : `/login?next=${encodeURIComponent(o.next)}`);
  return page(c, { v, title: v.t("page.login.title"), status: o.status, body: <LoginPage v={v} state={o.state} next={o.next} notice={o.notice} resend={o.resend} canRegister={canRegister(c)} /> });
}

/** Log in and log out. */
export const loginPages = new Hono<AppEnv>()
  .get("/login", (c) => {
    const next = safeNext(c.req.query("next"), "/account");
    if (sessionUser(c)) return go(c, next);
    const notice = c.req.query("notice") ?? "";
    // Own keys only: ?notice=constructor must not find Object.prototype's.
    const key = Object.hasOwn(notices, notice) ? notices[notice] : undefined;
    return loginPage(c, { state: formState(), next, notice: key ? { key } : undefined });
  })
  .post("/login", async (c) => {
    const f = await formBody(c);
    const next = safeNext(f.next, "/account");
    const deps = c.get("deps");
    const r = await attempt(c, () => login(deps, { login: f.login ?? "", password: f.password ?? "" }, c.get("meta")));
    if (!r.ok) {
      const typed = (f.login ?? "").trim();
      const resend = r.err.code === "email_not_verified" ? { email: typed.includes("@") ? typed : undefined } : undefined;
      return loginPage(c, { state: failedForm(c, r.err, f, ["password"]), next, status: r.err.status, resend });
    }
    // The cookie is about to be replaced: end the session it carried rather than leave it behind.
    const previous = sessionUser(c);
    if (previous?.via === "cookie") logout(deps, previous, c.get("meta"));
    setSessionCookie(c, r.value.token, r.value.expiresAt, deps.config.secureCookies);
    if (r.value.user.mustChangePassword) return go(c, "/account?notice=must_change_password#password");
    return go(c, next);
  })
  .post("/logout", (c) => {
    const auth = sessionUser(c);
    if (auth) logout(c.get("deps"), auth, c.get("meta"));
    clearSessionCookie(c, c.get("deps").config.secureCookies);
    return go(c, "/login?notice=logged_out");
  });
