import { Hono } from "hono";
import { register } from "../../accounts/registration.js";
import { login } from "../../accounts/login.js";
import { describeVerificationLink, resendVerification, verifyEmail } from "../../accounts/verification.js";
import { anyAccount } from "../../accounts/store.js";
import { getSettings } from "../../admin/settings.js";
import { setSessionCookie } from "../auth.js";
import type { AppEnv, Ctx } from "../context.js";
import { formState, type FormState, type Message } from "../../../views/view.js";
import { RegisterPage } from "../../../views/pages/register.js";
import { BadLinkPage, CheckMailPage, ConfirmLinkPage, RegisteredPage, ResendPage, VerifiedPage } from "../../../views/pages/verify.js";
import type { AppError } from "../../errors.js";
import { attempt, errorMessage, failedForm, formBody, go, page, sessionUser, viewOf } from "./render.js";

const isFirst = (c: Ctx) => !anyAccount(c.get("deps").db);

/**
 * What the registration policy says before anyone types: `refused` where
 * self-registration is shut (closed, by invitation only), or a `note` of what
 * it asks (an administrator's approval, an organization's domain). The first
 * account is always welcome.
 */
function policyMessages(c: Ctx, first: boolean): { refused?: Message; note?: Message } {
  if (first) return {};
  const key = ({ closed: "error.registration_closed", invite: "error.invitation_required", approval: "page.register.approvalNote", domain: "page.register.domainNote", open: undefined } as const)[getSettings(c.get("deps")).registration];
  if (!key) return {};
  return key.startsWith("error.") ? { refused: { key } } : { note: { key } };
}

function registerPage(c: Ctx, state: FormState, status = 200) {
  const v = viewOf(c, "/register");
  const first = isFirst(c);
  const { refused, note } = policyMessages(c, first);
  return page(c, { v, title: v.t("page.register.title"), status, body: <RegisterPage v={v} first={first} state={state} refused={refused} note={note} /> });
}

/** Whether the log-in page offers to create an account: not when self-registration is closed or by invitation only. */
export function canRegister(c: Ctx): boolean {
  const policy = getSettings(c.get("deps")).registration;
  return (policy !== "closed" && policy !== "invite") || isFirst(c);
}

function checkMailPage(c: Ctx, email: string, state: FormState, status = 200) {
  const v = viewOf(c, "/login");
  return page(c, { v, title: v.t("page.verify.checkTitle"), status, body: <CheckMailPage v={v} email={email} state={state} /> });
}

/** A confirmation link that is unknown, used or expired: say so, and offer a new mail. */
function badLink(c: Ctx, err: AppError) {
  const v = viewOf(c, "/login");
  return page(c, { v, title: v.t("page.verify.badLinkTitle"), status: err.status, body: <BadLinkPage v={v} msg={errorMessage(err)} /> });
}

function resendPage(c: Ctx, state: FormState, status = 200) {
  const v = viewOf(c, "/resend-verification");
  return page(c, { v, title: v.t("page.verify.resendTitle"), status, body: <ResendPage v={v} state={state} /> });
}

/** Registration, and confirming the address with the mailed link or code. */
export const registerPages = new Hono<AppEnv>()
  .get("/register", (c) => registerPage(c, formState({ claimDomain: "on" })))
  .post("/register", async (c) => {
    const f = await formBody(c);
    const first = f.first === "1";
    const input = {
      email: f.email ?? "",
      password: f.password ?? "",
      userId: f.userId ?? "",
      nickname: f.nickname ?? "",
      ...(first ? { organizationName: f.organizationName ?? "", claimDomain: f.claimDomain === "on" } : {}),
    };
    const r = await attempt(c, () => register(c.get("deps"), input, c.get("meta")));
    if (!r.ok) return registerPage(c, failedForm(c, r.err, f, ["password"]), r.err.status);
    if (r.value.firstAccount) {
      // The first owner is active at once: log them in with what they just typed.
      const s = await login(c.get("deps"), { login: input.email, password: input.password }, c.get("meta"));
      setSessionCookie(c, s.token, s.expiresAt, c.get("deps").config.secureCookies);
      return go(c, "/account");
    }
    if (!r.value.verificationRequired) {
      const v = viewOf(c, "/login");
      return page(c, { v, title: v.t("page.register.doneTitle"), body: <RegisteredPage v={v} awaitingApproval={r.value.user.status === "awaiting_approval"} /> });
    }
    return checkMailPage(c, input.email.trim(), formState());
  })
  .get("/verify-email", async (c) => {
    // Opening the mailed link (a person, or a mail filter checking it) confirms nothing: it shows
    // what pressing Confirm will confirm.
    const token = c.req.query("token") ?? "";
    const r = await attempt(c, () => describeVerificationLink(c.get("deps"), token));
    const v = viewOf(c, "/login");
    if (!r.ok) return badLink(c, r.err);
    return page(c, { v, title: v.t(r.value.kind === "email_change" ? "page.verify.linkTitleChange" : "page.verify.linkTitle"), body: <ConfirmLinkPage v={v} kind={r.value.kind} email={r.value.email} token={token} /> });
  })
  .post("/verify-email", async (c) => {
    const f = await formBody(c);
    if (f.token !== undefined) {
      // The link's Confirm button.
      const r = await attempt(c, () => verifyEmail(c.get("deps"), { token: f.token }, c.get("meta")));
      if (!r.ok) return badLink(c, r.err);
      const v = viewOf(c, "/login");
      const body = <VerifiedPage v={v} kind={r.value.kind} awaitingApproval={r.value.user.status === "awaiting_approval"} loggedIn={!!sessionUser(c)} />;
      return page(c, { v, title: v.t("page.verify.doneTitle"), body });
    }
    const email = (f.email ?? "").trim();
    const r = await attempt(c, () => verifyEmail(c.get("deps"), { email, code: f.code ?? "" }, c.get("meta")));
    if (!r.ok) return checkMailPage(c, email, failedForm(c, r.err, { code: f.code ?? "" }), r.err.status);
    const v = viewOf(c, "/login");
    const body = <VerifiedPage v={v} kind="verify_email" awaitingApproval={r.value.user.status === "awaiting_approval"} loggedIn={!!sessionUser(c)} />;
    return page(c, { v, title: v.t("page.verify.doneTitle"), body });
  })
  .get("/resend-verification", (c) => resendPage(c, formState()))
  .post("/resend-verification", async (c) => {
    const f = await formBody(c);
    const email = (f.email ?? "").trim();
    const r = await attempt(c, () => resendVerification(c.get("deps"), { email }, c.get("meta")));
    if (!r.ok) {
      // Without a valid address there is no mail to wait for: ask for it where it can be typed.
      if (r.err.fields?.email) return resendPage(c, failedForm(c, r.err, { email }), r.err.status);
      return checkMailPage(c, email, failedForm(c, r.err, {}), r.err.status);
    }
    return checkMailPage(c, email, formState({}, { key: "page.verify.resent" }));
  });
