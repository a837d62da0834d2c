import type { PresentedAccount } from "../../server/accounts/present.js";
import type { AdminContext } from "./admin-users.js";
import { Alert } from "../components/form.js";
import { Avatar, StatusBadge, TypeLabel } from "../partials/admin-users-table.js";
import { UserActions } from "../partials/admin-user-actions.js";
import { UserForm } from "../partials/admin-user-form.js";
import { Time } from "../partials/sessions-section.js";
import type { FormState, Message, View } from "../view.js";
import { LockedNotice } from "./admin-users-delete.js";
import { Fact } from "../components/fact.js";
import { SetupLinkField } from "../partials/setup-link.js";

function When({ v, iso }: { v: View; iso: string | null }) {
  return iso ? <Time iso={iso} lang={v.lang} /> : <span class="muted">{v.t("admin.users.never")}</span>;
}

const Organization = ({ v, a }: { v: View; a: PresentedAccount }) => <Fact label={v.t("account.summary.organization")}>{a.organization?.name || v.t("account.summary.personal")}</Fact>;

const LastLogin = ({ v, a }: { v: View; a: PresentedAccount }) => (
  <Fact label={v.t("admin.users.col.lastLogin")}>
    <When v={v} iso={a.lastLoginAt} />
  </Fact>
);

/** Who the account is; the badges change as the actions do. */
function UserSummary({ v, a }: { v: View; a: PresentedAccount }) {
  const t = v.t;
  return (
    <section id="user-summary" class="card summary" aria-labelledby="user-title">
      <div class="summary-head">
        <Avatar a={a} size="lg" />
        <div>
          <h1 id="user-title">{a.displayName}</h1>
          <p class="badges">
            <TypeLabel v={v} type={a.type} />
            <StatusBadge v={v} status={a.status} />
            {a.mustChangePassword && <span class="status-badge status-invited">{t("admin.user.mustChange")}</span>}
          </p>
        </div>
      </div>
      <dl class="facts">
        <div>
          <dt>{t("form.userId")}</dt>
          <dd class="mono">{a.userId}</dd>
        </div>
        <div>
          <dt>{t("form.email")}</dt>
          <dd>
            {a.email ?? "—"}
            {a.email && <span class={a.emailVerifiedAt ? "verified" : "unverified"}>{t(a.emailVerifiedAt ? "admin.user.verified" : "admin.user.unverified")}</span>}
          </dd>
        </div>
        <Organization v={v} a={a} />
        <Fact label={t("admin.users.col.created")}>
          <When v={v} iso={a.createdAt} />
        </Fact>
        <LastLogin v={v} a={a} />
        <div>
          <dt>{t("admin.user.id")}</dt>
          <dd class="mono small">{a.id}</dd>
        </div>
      </dl>
    </section>
  );
}

export interface UserAdminProps {
  v: View;
  a: PresentedAccount;
  form: FormState;
  ctx: AdminContext;
  /** The outcome of the last action (the profile form shows its own). */
  message?: { kind: "ok" | "error"; msg: Message };
  /** A new setup link to hand over, shown this once. */
  setupUrl?: string;
  /** The temporary password form, refused: what was typed and why. */
  passwordForm?: FormState;
  /** The viewer may not change this account (an owner, seen by an admin who is not one): shown read-only, no actions. */
  locked?: boolean;
}

/** Why an account is read-only here: the services answer 403 to every change, so the page offers none. */
export function OwnerOnlyNotice({ v }: { v: View }) {
  return <Alert v={v} kind="info" msg={{ key: "admin.user.ownerOnly" }} />;
}

/** Everything about one account; every form on it answers with this region, swapped whole. */
export function UserAdmin(p: UserAdminProps) {
  return (
    <div id="user-admin" class="user-admin">
      <p class="crumbs">
        <a href="/admin/users">{p.v.t("admin.users.title")}</a> / <span class="mono">{p.a.userId}</span>
      </p>
      {p.message && <Alert v={p.v} kind={p.message.kind} msg={p.message.msg} />}
      {p.setupUrl && <SetupLinkField v={p.v} url={p.setupUrl} />}
      {p.locked && <OwnerOnlyNotice v={p.v} />}
      <div class="user-grid">
        <div>
          <UserSummary v={p.v} a={p.a} />
          {!p.locked && <UserActions v={p.v} a={p.a} ctx={p.ctx} password={p.passwordForm} />}
        </div>
        <UserForm v={p.v} id={p.a.id} state={p.form} locked={p.locked} />
      </div>
    </div>
  );
}

/** The confirmation step before deleting one account, or why it cannot be deleted now. */
export function DeleteUserPage({ v, a, ctx, error, locked = false }: { v: View; a: PresentedAccount; ctx: AdminContext; error?: Message; locked?: boolean }) {
  const t = v.t;
  const href = `/admin/users/${encodeURIComponent(a.id)}`;
  const blocked = ctx.deletionLocked || locked;
  return (
    <section class="card confirm" aria-labelledby="confirm-title">
      <h1 id="confirm-title">{t("admin.user.delete.title", { userId: a.userId })}</h1>
      {locked ? <OwnerOnlyNotice v={v} /> : ctx.deletionLocked ? <LockedNotice v={v} owner={ctx.owner} /> : error && <Alert v={v} kind="error" msg={error} />}
      {/* Who it is, so an admin who came by a link or a search deletes the person they meant. */}
      <dl class="facts">
        <Fact label={t("form.nickname")}>{a.nickname || "—"}</Fact>
        <Fact label={t("form.email")}>{a.email ?? "—"}</Fact>
        <Organization v={v} a={a} />
        <LastLogin v={v} a={a} />
      </dl>
      {!blocked && (
        <form method="post" action={`${href}/delete`} class="stack">
          <p>{t("admin.user.delete.irreversible", { userId: a.userId })}</p>
          <div class="actions">
            <button type="submit" class="btn btn-danger-solid">
              {t("admin.user.delete.confirm")}
            </button>
            <a class="btn btn-secondary" href={href}>
              {t("admin.users.delete.cancel")}
            </a>
          </div>
        </form>
      )}
      {blocked && (
        <p>
          <a href={href}>{t("admin.user.delete.back")}</a>
        </p>
      )}
    </section>
  );
}
