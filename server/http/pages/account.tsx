import { Hono } from "hono";
import { clearCookie } from "../cookies.js";
import { updateProfile } from "../../accounts/profile.js";
import { changePassword } from "../../accounts/password.js";
import { requestEmailChange } from "../../accounts/email-change.js";
import { mySessions } from "../../accounts/my-sessions.js";
import { LANG_COOKIE } from "../../app.js";
import type { AppEnv } from "../context.js";
import { WhoAmI } from "../../../views/layout.js";
import { profileValues } from "../../../views/partials/profile-section.js";
import { SessionsSection } from "../../../views/partials/sessions-section.js";
import { presentAccount } from "../../accounts/present.js";
import { Summary } from "../../../views/pages/account.js";
import { formState, type View } from "../../../views/view.js";
import { accountPage, savedSection, sectionAnswer, sessionUser, toLogin } from "./account-view.js";
import { attempt, failedForm, formBody, isHx, mismatch } from "./render.js";

const profileText = ["nickname", "avatarUrl", "groupName", "gender", "birthDate", "location", "statusMessage", "language", "friendPolicy"] as const;

/** The profile form's fields as the profile service takes them (an unticked checkbox sends nothing: false). */
function profileInput(f: Record<string, string>) {
  const input: Record<string, unknown> = {};
  for (const k of profileText) if (k in f) input[k] = f[k];
  input.messageSettings = { pushOffline: f.pushOffline === "on" };
  return input;
}

/** The account page and its profile, password and email forms (sessions: sessions.tsx). */
export const accountPages = new Hono<AppEnv>()
  .get("/account", (c) => {
    const user = sessionUser(c);
    if (!user) return toLogin(c);
    // "Choose a new password" is the password section's own notice, shown while the account must (not by the URL's ?notice=).
    const joined = c.req.query("notice") === "joined" ? { key: "invite.joined", params: { organization: user.organizationName ?? "" } } : undefined;
    return accountPage(c, user, { saved: savedSection(c.req.query("saved")), notice: joined });
  })
  .post("/account/profile", async (c) => {
    const user = sessionUser(c);
    if (!user) return toLogin(c);
    const f = await formBody(c);
    const r = await attempt(c, () => updateProfile(c.get("deps"), user.account, profileInput(f), c.get("meta")));
    if (!r.ok) return sectionAnswer(c, user, { section: "profile", state: failedForm(c, r.err, f), status: r.err.status });
    if (r.value.language !== user.account.language) {
      // The profile's language is now the one to speak: drop this device's override, and let htmx reload the page in it.
      clearCookie(c, LANG_COOKIE, { path: "/" });
      if (isHx(c)) c.header("hx-refresh", "true");
    }
    const saved = presentAccount(r.value, user.organizationName);
    const state = formState(profileValues(saved), { key: "account.profile.saved" });
    const oob = (v: View) => (
      <>
        <WhoAmI name={saved.displayName} oob />
        <Summary v={v} a={saved} oob />
      </>
    );
    return sectionAnswer(c, user, { section: "profile", state, account: r.value, oob });
  })
  .post("/account/password", async (c) => {
    const user = sessionUser(c);
    if (!user) return toLogin(c);
    const f = await formBody(c);
    const r = await attempt(c, () => {
      if ((f.newPassword ?? "") !== (f.newPasswordConfirm ?? "")) throw mismatch("newPasswordConfirm");
      return changePassword(c.get("deps"), user, { currentPassword: f.currentPassword ?? "", newPassword: f.newPassword ?? "" }, c.get("meta"));
    });
    if (!r.ok) return sectionAnswer(c, user, { section: "password", state: failedForm(c, r.err, {}), status: r.err.status });
    // Every other session has just ended: show the shorter list too.
    const sessions = mySessions(c.get("deps"), user.account.id, user.sessionId);
    return sectionAnswer(c, user, {
      section: "password",
      // Changed: the section comes back without the "choose a new password" notice.
      account: { ...user.account, mustChangePassword: false },
      state: formState({}, { key: "account.password.changed" }),
      oob: (v) => <SessionsSection v={v} sessions={sessions} state={formState()} oob />,
    });
  })
  .post("/account/email", async (c) => {
    const user = sessionUser(c);
    if (!user) return toLogin(c);
    const f = await formBody(c);
    const newEmail = (f.newEmail ?? "").trim();
    const r = await attempt(c, () => requestEmailChange(c.get("deps"), user.account, { newEmail, password: f.password ?? "" }, c.get("meta")));
    if (!r.ok) return sectionAnswer(c, user, { section: "email", state: failedForm(c, r.err, { newEmail }), status: r.err.status });
    return sectionAnswer(c, user, { section: "email", state: formState({}, { key: "account.email.sent", params: { email: newEmail } }) });
  });
