import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { DAY, HOUR, MINUTE } from "../clock.js";
import { mailOutbox, type MailRow } from "../db/schema.js";
import type { Deps } from "../deps.js";
import { classifyError, transportFromConfig, type MailTransport, type SendResult } from "./transports.js";

/** The outbox worker (SPEC §5): delivers queued mail, retries temporary failures, survives restarts. */
export interface MailWorker {
  /** Look for due mail now (after a commit that queued some). */
  kick(): void;
  start(): void;
  /** Stops taking new mail and waits for the message in flight. */
  stop(): Promise<void>;
  /** Delivers everything due now; resolves when done (tests). */
  drain(): Promise<void>;
}

export interface MailWorkerOptions {
  /** Defaults to the one ROSTER_MAIL_TRANSPORT names. */
  transport?: MailTransport;
  /** Messages in flight at once. */
  concurrency?: number;
  /** How long stop() waits for messages in flight before closing the transport. */
  stopTimeoutMs?: number;
}

/**
 * Messages in flight at once. Each SMTP exchange mostly waits on the
 * network, so ten pooled connections keep a local relay busy without
 * flooding it.
 */
export const MAIL_CONCURRENCY = 10;

const RETRY_DELAYS = [30_000, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE];
export const GIVE_UP_AFTER = DAY;
/** Also wakes for mail another process (the CLI) queued, and after clock jumps. */
const MAX_SLEEP = MINUTE;

/** The wait after the n-th failed attempt: 30 s, 2 min, 10 min, 30 min, then hourly. */
export function nextAttemptDelay(attempts: number): number {
  return RETRY_DELAYS[Math.max(0, attempts - 1)] ?? HOUR;
}

/**
 * When to try again after `attempts` failed attempts, or null once the mail
 * is 24 h old. The last retry is pulled in to the 24 h mark, so a mail
 * always gets its try at the deadline rather than failing up to an hour early.
 */
export function nextAttemptAt(createdAt: Date, attempts: number, now: Date): Date | null {
  const deadline = createdAt.getTime() + GIVE_UP_AFTER;
  if (now.getTime() >= deadline) return null;
  return new Date(Math.min(now.getTime() + nextAttemptDelay(attempts), deadline));
}

const WAITING = ["queued", "deferred"] as const;

export function createMailWorker(deps: Pick<Deps, "db" | "clock" | "config" | "log">, opts: MailWorkerOptions = {}): MailWorker {
  const { db, clock } = deps;
  const transport = opts.transport ?? transportFromConfig(deps.config.mail);
  const concurrency = opts.concurrency ?? MAIL_CONCURRENCY;
  const log = deps.log.child({ component: "mail", transport: transport.kind });
  let started = false;
  let stopped = false;
  let stopping: Promise<void> | null = null;
  let inFlight = 0;
  const idleWaiters: (() => void)[] = [];
  let kickPending = false;
  let timer: NodeJS.Timeout | undefined;

  /** The UPDATE's status guard makes the claim safe against another process (the CLI) claiming too. */
  // The partial index keeps "the next due message" one index step however long the queue is
  // (SQLite's planner, without statistics, would sort every waiting row instead).
  const nextDue = db.$client.prepare<[number], { id: string }>(
    "SELECT id FROM mail_outbox INDEXED BY mail_outbox_waiting_idx WHERE status IN ('queued', 'deferred') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1",
  );
  // Prepared once: a long queue is claimed message by message.
  const byId = db.select().from(mailOutbox).where(eq(mailOutbox.id, sql.placeholder("id"))).prepare();
  const claim = db.$client.prepare<[string]>("UPDATE mail_outbox SET status = 'sending' WHERE id = ? AND status IN ('queued', 'deferred')");
  function claimNext(): MailRow | undefined {
    for (;;) {
      const next = nextDue.get(clock.now().getTime());
      if (!next) return undefined;
      if (claim.run(next.id).changes === 1) return byId.get({ id: next.id });
    }
  }

  function record(row: MailRow, result: SendResult): void {
    const now = clock.now();
    const attempts = row.attempts + 1;
    const retry = result.outcome === "temporary" ? nextAttemptAt(row.createdAt, attempts, now) : null;
    const set =
      result.outcome === "sent"
        ? { status: "sent" as const, sentAt: now, attempts, lastError: null }
        : retry
          ? { status: "deferred" as const, nextAttemptAt: retry, attempts, lastError: result.response }
          : { status: "failed" as const, attempts, lastError: result.response };
    db.update(mailOutbox).set({ ...set, lastResponse: result.response, transport: transport.kind }).where(and(eq(mailOutbox.id, row.id), eq(mailOutbox.status, "sending"))).run();
    // Never the body: it carries tokens and codes.
    const entry = { mailId: row.id, kind: row.kind, to: row.toAddress, status: set.status, attempts, response: result.response, nextAttemptAt: retry?.toISOString() };
    if (set.status === "failed") log.warn(entry, "mail failed");
    else log.info(entry, set.status === "sent" ? "mail sent" : "mail deferred");
  }

  async function deliver(row: MailRow): Promise<void> {
    const result = await Promise.resolve(row).then((r) => transport.send(r)).catch(classifyError);
    try {
      record(row, result);
    } catch (err) {
      // The row stays `sending` and is sent again at the next start: at least once, never lost.
      log.error({ err, mailId: row.id }, "could not record a delivery result");
    }
  }

  /**
   * Fills free slots with due mail. Each finished message calls it again, so a
   * slow message never holds up the others, and there is never a second loop:
   * this is synchronous and the claim is atomic.
   */
  function fill(): void {
    try {
      while (!stopped && inFlight < concurrency) {
        const row = claimNext();
        if (!row) break;
        inFlight++;
        void deliver(row).finally(() => {
          inFlight--;
          fill();
        });
      }
    } catch (err) {
      log.error({ err }, "cannot look for due mail");
    }
    if (inFlight === 0) idle();
  }

  function idle(): void {
    for (const resolve of idleWaiters.splice(0)) resolve();
    try {
      armTimer();
    } catch (err) {
      log.error({ err }, "cannot schedule the next mail delivery");
    }
  }

  /** Resolves once nothing is in flight and nothing is due. */
  function drain(): Promise<void> {
    return new Promise((resolve) => {
      idleWaiters.push(resolve);
      fill();
    });
  }

  function armTimer(): void {
    clearTimeout(timer);
    if (!started || stopped) return;
    const next = db.select({ at: mailOutbox.nextAttemptAt }).from(mailOutbox)
      .where(inArray(mailOutbox.status, WAITING))
      .orderBy(asc(mailOutbox.nextAttemptAt))
      .limit(1)
      .get();
    const wait = next ? next.at.getTime() - clock.now().getTime() : MAX_SLEEP;
    timer = setTimeout(fill, Math.min(Math.max(wait, 1000), MAX_SLEEP));
    timer.unref();
  }

  return {
    kick() {
      if (!started || stopped || kickPending) return;
      kickPending = true;
      // Coalesces the kicks of one burst of requests into one look at the outbox.
      setImmediate(() => {
        kickPending = false;
        fill();
      });
    },
    start() {
      if (started) return;
      started = true;
      const now = clock.now();
      // The process stopped mid-send: the server may or may not have the message. Sending again
      // may duplicate it (same Message-ID), but never loses it.
      const interrupted = db.update(mailOutbox).set({ status: "queued" }).where(eq(mailOutbox.status, "sending")).run().changes;
      // After a restart, often a fixed mail setting, waiting mail goes at once (SPEC §5: "at start").
      db.update(mailOutbox).set({ nextAttemptAt: now }).where(and(eq(mailOutbox.status, "deferred"), gt(mailOutbox.nextAttemptAt, now))).run();
      if (interrupted) log.warn({ count: interrupted }, "mail interrupted by a stop or crash is sent again");
      fill();
    },
    stop() {
      if (stopping) return stopping;
      stopped = true;
      clearTimeout(timer);
      stopping = (async () => {
        let t: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((r) => (t = setTimeout(r, opts.stopTimeoutMs ?? 10_000)));
        await Promise.race([drain(), bound]);
        clearTimeout(t);
        transport.close();
      })();
      return stopping;
    },
    drain: () => (stopped ? Promise.resolve() : drain()),
  };
}
