import type { DashboardSummary } from "../../server/admin/dashboard.js";
import type { StorageSummary } from "../../server/admin/storage.js";
import { accountStatuses, accountTypes, mailStatuses } from "../../server/db/schema.js";
import { fmt } from "../partials/admin-users-table.js";
import { Time } from "../partials/sessions-section.js";
import type { View } from "../view.js";
import { AuditAction } from "./admin-audit.js";

export interface AuditRow {
  seq: number;
  at: string;
  action: string;
  actor: { id: string | null; label: string } | null;
  target: { id: string | null; label: string } | null;
  ip: string;
}

function Tile({ v, label, n, href, tone }: { v: View; label: string; n: number; href?: string; tone?: string }) {
  const inner = (
    <>
      <span class="tile-n">{fmt(v, n)}</span>
      <span class="tile-label">{label}</span>
    </>
  );
  return <li class={`tile${tone ? ` tile-${tone}` : ""}`}>{href ? <a href={href}>{inner}</a> : <div>{inner}</div>}</li>;
}

/** Healthy when nothing failed or waits for a retry; otherwise the worst of the two. */
const mailHealth = (m: DashboardSummary["mail"]) => (m.byStatus.failed > 0 ? "failed" : m.byStatus.deferred > 0 ? "deferred" : "ok");

/** "110 MB", "12.3 GB", "0 B": bytes in the unit that reads best (decimal, as disks are sold), the number in the page's language. */
export function bytesText(v: View, n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"] as const;
  let i = 0;
  let x = n;
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i++;
  }
  const number = new Intl.NumberFormat(v.lang === "ja" ? "ja-JP" : "en-US", { maximumFractionDigits: x < 10 && i > 0 ? 1 : 0 }).format(x);
  return `${number} ${units[i]}`;
}

/** The owner's view of the data volume: the database, the room left, the nightly backups. */
function StorageCard({ v, st }: { v: View; st: StorageSummary }) {
  const t = v.t;
  const b = st.backups;
  return (
    <section class="card" aria-labelledby="storage-title">
      <h2 id="storage-title">{t("admin.dashboard.storage")}</h2>
      {st.low && st.volume && (
        <div class="alert alert-error" role="alert">
          <p>{t("admin.dashboard.storage.low", { free: bytesText(v, st.volume.freeBytes) })}</p>
        </div>
      )}
      {b.keep === 0 && <p class="alert alert-info">{t("admin.dashboard.storage.backupsOff")}</p>}
      {b.stale && (
        <div class="alert alert-error" role="alert">
          <p>{t("admin.dashboard.storage.stale")}</p>
        </div>
      )}
      <dl class="tiles tiles-small storage-tiles">
        <div class="tile">
          <dt>{t("admin.dashboard.storage.database")}</dt>
          <dd>{bytesText(v, st.databaseBytes)}</dd>
        </div>
        {st.volume && (
          <div class={`tile${st.low ? " tile-bad" : ""}`}>
            <dt>{t("admin.dashboard.storage.free")}</dt>
            <dd>{bytesText(v, st.volume.freeBytes)}</dd>
            <dd class="tile-sub">{t("admin.dashboard.storage.freeOf", { total: bytesText(v, st.volume.totalBytes) })}</dd>
          </div>
        )}
        {b.keep > 0 && (
          <div class="tile">
            <dt>{t("admin.dashboard.storage.backups")}</dt>
            <dd>{bytesText(v, b.bytes)}</dd>
            <dd class="tile-sub">{t("admin.dashboard.storage.backupsKept", { count: fmt(v, b.count), keep: fmt(v, b.keep) })}</dd>
          </div>
        )}
      </dl>
      {b.keep > 0 && (
        <p class="muted">
          {b.lastAt ? (
            <>
              {t("admin.dashboard.storage.lastBackup")} <Time iso={b.lastAt} lang={v.lang} />
            </>
          ) : (
            t("admin.dashboard.storage.noBackup")
          )}
          {b.nextAt && (
            <>
              {" · "}
              {t("admin.dashboard.storage.nextBackup")} <Time iso={b.nextAt} lang={v.lang} />
            </>
          )}
        </p>
      )}
    </section>
  );
}

/**
 * `capture`: mail is kept, not sent (the admin layout's line above every
 * admin page says so; the mail card only names its "sent" count "captured").
 */
export function AdminDashboardPage({ v, s, audit, storage, capture }: { v: View; s: DashboardSummary; audit: AuditRow[]; storage?: StorageSummary | null; capture?: boolean }) {
  const t = v.t;
  const awaiting = s.byStatus.awaiting_approval;
  const health = mailHealth(s.mail);
  return (
    <div class="admin-dashboard">
      <header class="admin-head">
        <h1>{t("admin.dashboard.title")}</h1>
        <div class="admin-head-actions">
          <a class="btn btn-primary" href="/admin/users">
            {t("admin.dashboard.toUsers")}
          </a>
        </div>
      </header>
      {awaiting > 0 && (
        <div class="alert alert-info">
          <p>
            {t("admin.dashboard.awaiting", { count: fmt(v, awaiting) })} <a href="/admin/users?status=awaiting_approval">{t("admin.dashboard.review")}</a>
          </p>
        </div>
      )}
      <section class="card" aria-labelledby="accounts-title">
        <h2 id="accounts-title">{t("admin.dashboard.accounts", { total: fmt(v, s.total) })}</h2>
        <ul class="tiles">
          {accountStatuses.map((st) => (
            <Tile v={v} label={t(`admin.users.status.${st}`)} n={s.byStatus[st]} href={`/admin/users?status=${st}`} tone={st === "awaiting_approval" && s.byStatus[st] ? "warn" : undefined} />
          ))}
        </ul>
        <ul class="tiles tiles-small">
          {accountTypes.map((ty) => (
            <Tile v={v} label={t(`admin.dashboard.type.${ty}`)} n={s.byType[ty]} href={`/admin/users?type=${ty}`} />
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="mail-title">
        <h2 id="mail-title">{t("admin.dashboard.mail")}</h2>
        <p class={`health health-${health}`}>
          <span class="health-dot" aria-hidden="true"></span>
          {t(`admin.dashboard.mailHealth.${health}`)}
          {s.mail.oldestWaiting && (
            <span class="muted">
              {" · "}
              {t("admin.dashboard.oldestWaiting")} <Time iso={s.mail.oldestWaiting} lang={v.lang} />
            </span>
          )}
        </p>
        <ul class="tiles tiles-small">
          {mailStatuses.map((st) => (
            // In capture mode nothing was sent: what went through is kept here.
            <Tile v={v} label={t(st === "sent" && capture ? "admin.dashboard.mailStatus.captured" : `admin.dashboard.mailStatus.${st}`)} n={s.mail.byStatus[st]} tone={st === "failed" && s.mail.byStatus[st] ? "bad" : undefined} />
          ))}
        </ul>
        <p>
          <a href="/admin/mail">{t("admin.dashboard.toMail")}</a>
        </p>
      </section>
      {storage && <StorageCard v={v} st={storage} />}
      <section class="card" aria-labelledby="audit-title">
        <h2 id="audit-title">{t("admin.dashboard.recent")}</h2>
        {audit.length === 0 ? (
          <p class="muted">{t("admin.dashboard.noAudit")}</p>
        ) : (
          <div class="table-wrap" tabindex={0} role="region" aria-label={t("admin.dashboard.recentTable")}>
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">{t("admin.dashboard.when")}</th>
                  <th scope="col">{t("admin.dashboard.action")}</th>
                  <th scope="col">{t("admin.dashboard.actor")}</th>
                  <th scope="col">{t("admin.dashboard.target")}</th>
                  <th scope="col">{t("admin.dashboard.ip")}</th>
                </tr>
              </thead>
              <tbody>
                {audit.map((e) => (
                  <tr>
                    <td class="col-date">
                      <Time iso={e.at} lang={v.lang} />
                    </td>
                    <td class="col-action">
                      <AuditAction v={v} action={e.action} />
                    </td>
                    <td>{e.actor?.label || "—"}</td>
                    <td>{e.target?.label || "—"}</td>
                    <td class="mono">{e.ip || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <a href="/admin/audit">{t("admin.dashboard.toAudit")}</a>
        </p>
      </section>
    </div>
  );
}
