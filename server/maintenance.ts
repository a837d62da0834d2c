import { and, eq, lt, or } from "drizzle-orm";
import { DAY, HOUR } from "./clock.js";
import type { Deps } from "./deps.js";
import { mailOutbox, oneTimeTokens, sessions } from "./db/schema.js";
import { pruneThrottles } from "./auth/throttle.js";
import { backupDatabase, untilNightly } from "./backup.js";

/**
 * Removes expired sessions, old tokens, stale throttle counters, and mail
 * past its retention (ROSTER_MAIL_RETENTION_DAYS after it was sent, or after
 * it failed): never mail still waiting to go.
 */
export function cleanup(deps: Pick<Deps, "db" | "clock" | "config">) {
  const now = deps.clock.now();
  const mailCutoff = new Date(now.getTime() - deps.config.mailRetentionDays * DAY);
  return {
    sessions: deps.db.delete(sessions).where(lt(sessions.expiresAt, now)).run().changes,
    // Used or expired tokens are kept a week for support questions ("the link said…"), then go.
    tokens: deps.db.delete(oneTimeTokens).where(lt(oneTimeTokens.expiresAt, new Date(now.getTime() - 7 * DAY))).run().changes,
    throttles: pruneThrottles(deps),
    mail: deps.db
      .delete(mailOutbox)
      .where(or(and(eq(mailOutbox.status, "sent"), lt(mailOutbox.sentAt, mailCutoff)), and(eq(mailOutbox.status, "failed"), lt(mailOutbox.createdAt, mailCutoff))))
      .run().changes,
  };
}

/** The hourly cleanup and the nightly backup (STYLE §9). */
export function startMaintenance(deps: Deps): { stop(): void } {
  const hourly = () => {
    try {
      deps.log.info({ removed: cleanup(deps) }, "hourly cleanup");
    } catch (err) {
      deps.log.error({ err }, "cleanup failed");
    }
  };
  let nightlyTimer: NodeJS.Timeout | undefined;
  const nightly = () => {
    backupDatabase({ dataDir: deps.config.dataDir, keep: deps.config.backupKeep, source: deps.db.$client, now: deps.clock.now() })
      .then((file) => deps.log.info({ file, keep: deps.config.backupKeep }, "nightly backup written"))
      .catch((err: unknown) => deps.log.error({ err }, "nightly backup failed"))
      .finally(schedule);
  };
  const schedule = () => {
    nightlyTimer = setTimeout(nightly, untilNightly(deps.clock.now()));
    nightlyTimer.unref();
  };
  if (deps.config.dataDir !== ":memory:" && deps.config.backupKeep > 0) schedule();
  const first = setTimeout(hourly, 60_000);
  const timer = setInterval(hourly, HOUR);
  first.unref();
  timer.unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
      clearTimeout(nightlyTimer);
    },
  };
}
