import type { Invite } from "../pages/invite.js";
import { InviteIntro } from "../pages/invite.js";
import type { View } from "../view.js";

export type DeadReason = "invalid" | "expired" | "revoked" | "accepted";

/** A link that no longer leads anywhere: say why, and who can send a new one. */
export function InviteDeadPage({ v, reason, organization }: { v: View; reason: DeadReason; organization?: string }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="invite-dead-title">
      <h1 id="invite-dead-title">{t(`invite.dead.${reason}.title`)}</h1>
      <div class="alert alert-error" role="alert">
        <p>{t(`invite.dead.${reason}`, { organization: organization ?? "" })}</p>
      </div>
      <p class="invite-next">{t(organization ? "invite.dead.askAdmin" : "invite.dead.askAnyAdmin", { organization: organization ?? "" })}</p>
      <p class="aside links">
        <a href="/login">{t("nav.login")}</a>
      </p>
    </section>
  );
}

/** Logged in as someone else: whose request it is, and a way to switch. */
export function InviteWrongAccountPage({ v, inv, current }: { v: View; inv: Invite; current: string }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="invite-title">
      <InviteIntro v={v} inv={inv} />
      <div class="alert alert-info" role="status">
        <p>
          <strong>{t("invite.wrongAccount", { email: inv.email })}</strong>
        </p>
        <p>{t("invite.wrongAccountHelp", { name: current })}</p>
      </div>
      <form method="post" action={`/invite/${encodeURIComponent(inv.token)}/logout`} class="actions">
        <button type="submit" class="btn btn-primary">
          {t("invite.switchAccount")}
        </button>
      </form>
    </section>
  );
}

/** The address's account is already in this organization (perhaps through this very link). */
export function InviteAlreadyMemberPage({ v, inv, isViewer }: { v: View; inv: Invite; isViewer: boolean }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="invite-member-title">
      <h1 id="invite-member-title">{t("invite.member.title", { organization: inv.organization.name })}</h1>
      <div class="alert alert-ok" role="status">
        <p>{t(isViewer ? "invite.member.you" : "invite.member.address", { email: inv.email, organization: inv.organization.name })}</p>
      </div>
      <a class="btn btn-primary" href={isViewer ? "/account" : "/login"}>
        {t(isViewer ? "nav.account" : "nav.login")}
      </a>
    </section>
  );
}

/** The address belongs to an account another organization manages: nothing this link can do. */
export function InviteManagedElsewherePage({ v, inv }: { v: View; inv: Invite }) {
  const t = v.t;
  return (
    <section class="card narrow" aria-labelledby="invite-elsewhere-title">
      <h1 id="invite-elsewhere-title">{t("invite.elsewhere.title")}</h1>
      <div class="alert alert-error" role="alert">
        <p>{t("invite.elsewhere", { email: inv.email, organization: inv.organization.name })}</p>
      </div>
      <p class="invite-next">{t("invite.elsewhere.help")}</p>
    </section>
  );
}
