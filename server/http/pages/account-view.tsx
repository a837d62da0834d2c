import type { Child } from "hono/jsx";
import { mySessions } from "../../accounts/my-sessions.js";
import { presentAccount } from "../../accounts/present.js";
import type { Account } from "../../db/schema.js";
import type { Auth, Ctx } from "../context.js";
import { AccountPage, AccountSectionView, sections, type AccountSection } from "../../../views/pages/account.js";
import { profileValues } from "../../../views/partials/profile-section.js";
import { formState, type FormState, type Message } from "../../../views/view.js";
import { go, isHx, page, sessionUser, viewOf } from "./render.js";

export type PageUser = Auth & { sessionId: string };

/** Anonymous visitors of the account pages go to log in and come back. */
export const toLogin = (c: Ctx) => go(c, `/login?next=${encodeURIComponent("/account")}`);
export { sessionUser };

const savedNotice: Record<AccountSection, string> = {
  profile: "account.profile.saved",
  password: "account.password.changed",
  email: "account.email.sentShort",
  sessions: "account.sessions.ended",
};

/** The section that `?saved=<section>` names, after a form posted without JavaScript. */
export const savedSection = (saved: string | undefined): AccountSection | undefined => sections.find((s) => s === saved);

/**
 * The whole account page. `failed` is the one section whose form came back
 * with errors; `saved` the one whose form just succeeded.
 */
export function accountPage(c: Ctx, user: PageUser, o: { failed?: { section: AccountSection; state: FormState }; saved?: AccountSection; notice?: Message; status?: number } = {}) {
  const account = presentAccount(user.account, user.organizationName);
  const v = viewOf(c, "/account");
  const forms: Record<AccountSection, FormState> = {
    profile: formState(profileValues(account)),
    password: formState(),
    email: formState(),
    sessions: formState(),
  };
  if (o.saved) forms[o.saved].notice = { key: savedNotice[o.saved] };
  if (o.failed) forms[o.failed.section] = o.failed.state;
  const sessions = mySessions(c.get("deps"), user.account.id, user.sessionId);
  return page(c, { v, title: v.t("account.title"), status: o.status, body: <AccountPage v={v} account={account} sessions={sessions} forms={forms} notice={o.notice} /> });
}

/**
 * The answer to a section's form. htmx gets the section alone (plus any
 * `oob` extras), swapped in place; a browser without JavaScript gets the
 * whole page with the errors, or on success a redirect back to the section
 * (post/redirect/get).
 */
export function sectionAnswer(c: Ctx, user: PageUser, o: { section: AccountSection; state: FormState; status?: number; account?: Account; oob?: (v: ReturnType<typeof viewOf>) => Child }) {
  const failed = (o.status ?? 200) >= 400;
  if (!isHx(c)) {
    if (failed) return accountPage(c, user, { failed: { section: o.section, state: o.state }, status: o.status });
    return go(c, `/account?saved=${o.section}#${o.section}`);
  }
  const account = presentAccount(o.account ?? user.account, user.organizationName);
  const v = viewOf(c, "/account");
  const sessions = o.section === "sessions" ? mySessions(c.get("deps"), user.account.id, user.sessionId) : [];
  const fragment = (
    <>
      <AccountSectionView v={v} section={o.section} account={account} sessions={sessions} state={o.state} />
      {o.oob?.(v)}
    </>
  );
  return page(c, { v, title: v.t("account.title"), status: o.status, body: fragment });
}
