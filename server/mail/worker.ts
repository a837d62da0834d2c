import { and, asc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";
import { DAY, HOUR, MINUTE } from "../clock.js";
import { mailOutbox, type MailRow } from "../db/schema.js";
import type { Deps } from "../deps.js";
import { newId } from "../ids.js";
import { RESET_TTL } from "../accounts/password.js";
import { secretsIn } from "./outbox.js";
import type { Tx } from "../db/client.js";
import { BOUNCE_KIND, classifyError, recipients, transportFromConfig, type MailTransport, type SendResult } from "./transports.js";

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
export function nextAttemptAt(createdAt: Date, attempts: number, now: Date, giveUpAfter = GIVE_UP_AFTER): Date | null {
  const deadline = createdAt.getTime() + giveUpAfter;
  if (now.getTime() >= deadline) return null;
  return new Date(Math.min(now.getTime() + nextAttemptDelay(attempts), deadline));
}

/**
 * Mail whose link dies sooner than the 24 h of retries: a reset link lasts an hour, and a
 * mail delivered later would only carry a dead link (and still say "valid for one hour").
 */
const LINK_LIFETIME: Partial<Record<string, number>> = { password_reset: RESET_TTL, existing_account: RESET_TTL };

/** How long the link a kind of mail carries lives, when shorter than the retries' 24 hours. */
export const linkLifetime = (kind: string): number | undefined => LINK_LIFETIME[kind];

/** Whether the mail carries a link that has died by `now` (its retries, and an admin's, are pointless). */
export const linkExpired = (row: Pick<MailRow, "kind" | "createdAt">, now: Date): boolean => {
  const lifetime = linkLifetime(row.kind);
  return lifetime !== undefined && now.getTime() - row.createdAt.getTime() >= lifetime;
};

const WAITING = ["queued", "deferred"] as const;

const FATES = ["sent", "temporary", "permanent"] as const;
type Fate = (typeof FATES)[number];

/** Each recipient of the row by what became of it: a refusal of its own, or the message's outcome. */
function byFate(row: MailRow, result: SendResult): Record<Fate, { address: string; response: string }[]> {
  const groups: Record<Fate, { address: string; response: string }[]> = { sent: [], temporary: [], permanent: [] };
  for (const address of recipients(row.toAddress)) {
    const refusal = result.refused?.find((r) => r.address.toLowerCase() === address.toLowerCase());
    if (refusal) groups[refusal.temporary ? "temporary" : "permanent"].push({ address, response: refusal.response });
    else groups[result.outcome].push({ address, response: result.response });
  }
  return groups;
}

/**
 * RFC 5321 §6.1: once the relay has said 250, it owes the sender a notice when a recipient
 * cannot be reached. Sent from the null sender (never bounced in turn), in English and Japanese,
 * without the message itself.
 */
function queueBounce(tx: Tx, deps: Pick<Deps, "config">, row: MailRow, failed: { address: string; response: string }[], now: Date): void {
  const lines = failed.map((f) => `  ${f.address}: ${f.response}`).join("\n");
  const text = [
    "Roster's mail relay could not deliver your message to these recipients:",
    "Roster のメール中継サーバーは、次の宛先にメッセージを配信できませんでした。",
    "",
    lines,
    "",
    `Subject / 件名: ${row.subject}`,
    `Received / 受付日時: ${row.createdAt.toISOString()}`,
    "",
    "The other recipients, if any, received it. / ほかの宛先には配信されています（ある場合）。",
  ].join("\n");
  tx.insert(mailOutbox)
    .values({ id: newId(), kind: BOUNCE_KIND, fromAddress: deps.config.mail.from, toAddress: row.fromAddress, subject: `Undelivered mail / 配信できなかったメール: ${row.subject}`.slice(0, 300), text, html: null, status: "queued", createdAt: now, nextAttemptAt: now })
    .run();
}

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
    const groups = byFate(row, result);
    const lifetime = linkLifetime(row.kind);
    const retry = groups.temporary.length ? nextAttemptAt(row.createdAt, attempts, now, lifetime ?? GIVE_UP_AFTER) : null;
    // Past the 24 h mark (or the link's death), the ones still waiting fail.
    if (groups.temporary.length && !retry) {
      const why = lifetime ? ` (given up: the link in it has expired)` : "";
      groups.permanent.push(...groups.temporary.splice(0).map((g) => ({ ...g, response: g.response + why })));
    }
    const fates = FATES.filter((f) => groups[f].length);
    const split = fates.length > 1;
    const setFor = (fate: Fate) => {
      const lastError = [...new Set(groups[fate].map((g) => g.response))].join("; ").slice(0, 1000) || result.response;
      return fate === "sent"
        ? { status: "sent" as const, sentAt: now, attempts, lastError: null }
        : fate === "temporary"
          ? { status: "deferred" as const, nextAttemptAt: retry ?? now, attempts, lastError }
          : { status: "failed" as const, attempts, lastError };
    };
    const toOf = (fate: Fate) => groups[fate].map((g) => g.address).join(", ");
    const first = fates[0] ?? (result.outcome === "sent" ? "sent" : result.outcome === "temporary" && retry ? "temporary" : "permanent");
    const common = { lastResponse: result.response, transport: transport.kind, fromAddress: row.fromAddress };
    // Delivered: its links and code are the person's now, and leave the outbox (captured mail is read there).
    // SQLite replaces them in place: the text and HTML are not copied through the JavaScript heap,
    // which after an import's thousands of mails kept tens of MB of such copies as garbage.
    const secrets = first === "sent" && !split && transport.kind !== "capture" && row.kind !== "relay" ? secretsIn(row.kind, row.text) : [];
    const scrub = secrets.reduce<{ text: SQL; html: SQL }>(
      (acc, [secret, shown]) => ({ text: sql`replace(${acc.text}, ${secret}, ${shown})`, html: sql`replace(${acc.html}, ${secret}, ${shown})` }),
      { text: sql`${mailOutbox.text}`, html: sql`${mailOutbox.html}` },
    );
    db.transaction((tx) => {
      const claimed = tx.update(mailOutbox).set({ ...setFor(first), ...common, ...(secrets.length ? scrub : {}), ...(split ? { toAddress: toOf(first) } : {}) }).where(and(eq(mailOutbox.id, row.id), eq(mailOutbox.status, "sending"))).run();
      if (claimed.changes !== 1) return;
      // Recipients that fared otherwise go on as messages of their own: retried, or failed, each seen by admins.
      for (const fate of fates.slice(1)) tx.insert(mailOutbox).values({ ...row, id: newId(), toAddress: toOf(fate), ...setFor(fate), ...common }).run();
      if (row.kind === "relay" && row.fromAddress && groups.permanent.length) queueBounce(tx, deps, row, groups.permanent, now);
    });
    // Never the body: it carries tokens and codes.
    for (const fate of fates.length ? fates : [first]) {
      const status = setFor(fate).status;
      const entry = { mailId: row.id, kind: row.kind, to: split ? toOf(fate) : row.toAddress, status, attempts, response: result.response, nextAttemptAt: status === "deferred" ? retry?.toISOString() : undefined };
      if (status === "failed") log.warn(entry, "mail failed");
      else log.info(entry, status === "sent" ? "mail sent" : "mail deferred");
    }
  }

  async function deliver(claimed: MailRow): Promise<void> {
    // Roster's own mail goes from the sender set now: a sysadmin who corrects ROSTER_MAIL_FROM and
    // presses retry expects the new one. A relayed message keeps the sender it came with.
    const row = claimed.kind === "relay" ? claimed : { ...claimed, fromAddress: deps.config.mail.from };
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
