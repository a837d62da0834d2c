import { Hono } from "hono";
import { confirmPasswordReset, requestPasswordReset } from "../../accounts/password.js";
import { findToken } from "../../auth/one-time.js";
import { clearSessionCookie } from "../auth.js";
import type { AppEnv, Ctx } from "../context.js";
import { formState, type FormState, type Message } from "../../../views/view.js";
import { ForgotPasswordPage, ResetBadLinkPage, ResetPasswordPage } from "../../../views/pages/password.js";
import { asTitle, attempt, errorMessage, failedForm, formBody, go, mismatch, page, viewOf } from "./render.js";

const badLink = (code: string) => code === "invalid_token" || code === "token_expired";

function forgotPage(c: Ctx, state: FormState, status = 200) {
  const v = viewOf(c, "/forgot-password");
  return page(c, { v, title: v.t("page.forgot.title"), status, body: <ForgotPasswordPage v={v} state={state} /> });
}

function resetPage(c: Ctx, token: string, state: FormState, status = 200) {
  const v = viewOf(c, `/reset-password?token=${encodeURIComponent(token)}`);
  return page(c, { v, title: v.t("page.reset.title"), status, body: <ResetPasswordPage v={v} token={token} state={state} /> });
}

function resetBadLink(c: Ctx, msg: Message, status: number) {
  const v = viewOf(c, "/forgot-password");
  // The page says the link cannot be used: so does its title, not "Choose a new password".
  return page(c, { v, title: asTitle(v.t(msg.key, msg.params)), status, body: <ResetBadLinkPage v={v} msg={msg} /> });
}

/** Forgotten password: ask for a link, then choose a new password with it. */
export const passwordPages = new Hono<AppEnv>()
  .get("/forgot-password", (c) => forgotPage(c, formState()))
  .post("/forgot-password", async (c) => {
    const f = await formBody(c);
    const r = await attempt(c, () => requestPasswordReset(c.get("deps"), { email: f.email ?? "" }, c.get("meta")));
    if (!r.ok) return forgotPage(c, failedForm(c, r.err, f), r.err.status);
    // The same answer whether or not the address has an account.
    return forgotPage(c, formState({}, { key: "page.forgot.sent" }));
  })
  .get("/reset-password", async (c) => {
    const token = c.req.query("token") ?? "";
    // Look before asking for a password: a dead link should say so at once. (Nothing is used up here.)
    const r = await attempt(c, () => findToken(c.get("deps").db, c.get("deps"), ["password_reset"], token));
    if (!r.ok) return resetBadLink(c, errorMessage(r.err), r.err.status);
    return resetPage(c, token, formState());
  })
  .post("/reset-password", async (c) => {
    const f = await formBody(c);
    const token = f.token ?? "";
    const password = f.password ?? "";
    const r = await attempt(c, () => {
      if (password !== (f.passwordConfirm ?? "")) throw mismatch("passwordConfirm");
      return confirmPasswordReset(c.get("deps"), { token, password }, c.get("meta"));
    });
    if (!r.ok) {
      if (badLink(r.err.code)) return resetBadLink(c, errorMessage(r.err), r.err.status);
      return resetPage(c, token, failedForm(c, r.err, {}), r.err.status);
    }
    // Every session ended with the reset, this browser's too.
    clearSessionCookie(c, c.get("deps").config.secureCookies);
    return go(c, "/login?notice=password_reset");
  });
