import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Deps } from "../deps.js";
import { accounts, accountStatuses, accountTypes, mailOutbox, mailStatuses, type Account, type AccountStatus, type AccountType, type MailStatus } from "../db/schema.js";
import { mailScopeWhere } from "../mail/admin.js";
import { adminScope } from "./access.js";

export interface DashboardSummary {
  total: number;
  byStatus: Record<AccountStatus, number>;
  byType: Record<AccountType, number>;
  mail: {
    byStatus: Record<MailStatus, number>;
    /** When the oldest message still waiting (queued, sending or deferred) was queued; null when none waits. */
    oldestWaiting: string | null;
  };
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * The admin dashboard's numbers: accounts of the admin's scope by status and
 * by type (one grouped query each, served by the organization indexes), and
 * the mail queue by status — the mail this admin may read (an owner: all),
 * so the numbers match GET /api/v1/admin/mail/health for the same admin.
 */
export function dashboardSummary(deps: Pick<Deps, "db">, actor: Account): DashboardSummary {
  const scope = adminScope(actor);
  const where = scope.organizationId ? eq(accounts.organizationId, scope.organizationId) : undefined;
  const byStatus = zeros(accountStatuses);
  for (const r of deps.db.select({ k: accounts.status, n: sql<number>`count(*)` }).from(accounts).where(where).groupBy(accounts.status).all()) byStatus[r.k] = r.n;
  const byType = zeros(accountTypes);
  for (const r of deps.db.select({ k: accounts.type, n: sql<number>`count(*)` }).from(accounts).where(where).groupBy(accounts.type).all()) byType[r.k] = r.n;

  const mailWhere = mailScopeWhere(scope);
  const mail = zeros(mailStatuses);
  for (const r of deps.db.select({ k: mailOutbox.status, n: sql<number>`count(*)` }).from(mailOutbox).where(mailWhere).groupBy(mailOutbox.status).all()) mail[r.k] = r.n;
  const oldest = deps.db
    .select({ at: mailOutbox.createdAt })
    .from(mailOutbox)
    .where(and(inArray(mailOutbox.status, ["queued", "sending", "deferred"]), mailWhere))
    .orderBy(asc(mailOutbox.createdAt))
    .limit(1)
    .get();
  return {
    total: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    byType,
    mail: { byStatus: mail, oldestWaiting: oldest ? oldest.at.toISOString() : null },
  };
}
