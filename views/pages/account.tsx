import type { PresentedAccount } from "../../server/accounts/present.js";
import type { SessionView } from "../../server/accounts/my-sessions.js";
import { Alert } from "../components/form.js";
import { ProfileSection } from "../partials/profile-section.js";
import { EmailSection, PasswordSection } from "../partials/security-sections.js";
import { SessionsSection } from "../partials/sessions-section.js";
import type { FormState, Message, View } from "../view.js";

export const sections = ["profile", "password", "email", "sessions"] as const;
export type AccountSection = (typeof sections)[number];

export interface AccountPageProps {
  v: View;
  account: PresentedAccount;
  sessions: SessionView[];
  forms: Record<AccountSection, FormState>;
  notice?: Message;
}

/** Who the account is; htmx replaces it out of band after a profile save. */
export function Summary({ v, a, oob }: { v: View; a: PresentedAccount; oob?: boolean }) {
  const t = v.t;
  return (
    <section id="summary" class="card summary" aria-labelledby="account-title" hx-swap-oob={oob ? "true" : undefined}>
      <div class="summary-head">
        {a.avatarUrl ? <img class="avatar" src={a.avatarUrl} alt="" width={56} height={56} referrerpolicy="no-referrer" /> : <span class="avatar avatar-empty" aria-hidden="true">{[...a.displayName][0]?.toUpperCase()}</span>}
        <div>
          <h1 id="account-title">{a.displayName}</h1>
          <p class="muted">{a.statusMessage || t("account.summary.noStatus")}</p>
        </div>
      </div>
      <dl class="facts">
        <div>
          <dt>{t("form.userId")}</dt>
          <dd class="mono" id="account-user-id">{a.userId}</dd>
        </div>
        <div>
          <dt>{t("form.email")}</dt>
          <dd>{a.email ?? "—"}</dd>
        </div>
        <div>
          <dt>{t("account.summary.organization")}</dt>
          <dd>{a.organization?.name || t("account.summary.personal")}</dd>
        </div>
        <div>
          <dt>{t("account.summary.type")}</dt>
          <dd>{t(`account.type.${a.type}`)}</dd>
        </div>
        {a.groupName && (
          <div>
            <dt>{t("account.profile.groupName")}</dt>
            <dd>{a.groupName}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

/** One section of the account page by name: what htmx swaps after that section's form. */
export function AccountSectionView({ v, section, account, sessions, state }: { v: View; section: AccountSection; account: PresentedAccount; sessions: SessionView[]; state: FormState }) {
  switch (section) {
    case "profile":
      return <ProfileSection v={v} state={state} />;
    case "password":
      return <PasswordSection v={v} state={state} userId={account.userId} mustChange={account.mustChangePassword} />;
    case "email":
      return <EmailSection v={v} state={state} email={account.email} />;
    case "sessions":
      return <SessionsSection v={v} sessions={sessions} state={state} />;
  }
}

/** The account page: summary, then one card per form. */
export function AccountPage(p: AccountPageProps) {
  const { v } = p;
  return (
    <div class="account">
      {p.notice && <Alert v={v} kind="info" msg={p.notice} />}
      <Summary v={v} a={p.account} />
      <nav class="section-nav" aria-label={v.t("account.sections")}>
        <a href="#profile">{v.t("account.profile.title")}</a>
        <a href="#password">{v.t("account.password.title")}</a>
        <a href="#email">{v.t("account.email.title")}</a>
        <a href="#sessions">{v.t("account.sessions.title")}</a>
      </nav>
      {sections.map((section) => (
        <AccountSectionView v={v} section={section} account={p.account} sessions={p.sessions} state={p.forms[section]} />
      ))}
    </div>
  );
}
