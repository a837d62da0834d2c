import { eq, sql } from "drizzle-orm";
import { DAY, MINUTE } from "../clock.js";
import type { Deps } from "../deps.js";
import type { Tx } from "../db/client.js";
import { throttles } from "../db/schema.js";
import { preparedFor } from "../db/prepared.js";
import { AppError } from "../errors.js";

type D = Pick<Deps, "db" | "clock">;
/** Inside a transaction: the counters' statements need only the handle. */
type InTx = { db: Tx };

/**
 * Every check here reads and writes its counter in one synchronous SQLite
 * statement pair on the event loop, before any await: parallel requests are
 * serialised by construction and cannot slip past a limit between the check
 * and the count (the bypass other identity servers have shipped).
 */
const tooMany = (retryAfterMs: number) => new AppError("rate_limited", undefined, Math.max(1, Math.ceil(retryAfterMs / 1000)));

// Statements prepared once per connection: a log in runs five of them.
const key = sql.placeholder("key");

function read(deps: InTx, k: string) {
  return preparedFor(deps.db, "throttle.read", () => deps.db.select().from(throttles).where(eq(throttles.key, key)).prepare()).get({ key: k });
}

function write(deps: InTx, k: string, count: number, windowStart: number, lockedUntil: number | null) {
  preparedFor(deps.db, "throttle.write", () =>
    deps.db
      .insert(throttles)
      .values({ key, count: sql.placeholder("count"), windowStart: sql.placeholder("windowStart"), lockedUntil: sql.placeholder("lockedUntil") })
      .onConflictDoUpdate({ target: throttles.key, set: { count: sql`excluded.count`, windowStart: sql`excluded.window_start`, lockedUntil: sql`excluded.locked_until` } })
      .prepare(),
  ).run({ key: k, count, windowStart, lockedUntil });
}

function forget(deps: InTx, k: string) {
  preparedFor(deps.db, "throttle.delete", () => deps.db.delete(throttles).where(eq(throttles.key, key)).prepare()).run({ key: k });
}

/** At most `limit` hits per `windowMs` for `key`; throws `rate_limited` past it. */
export function hit(deps: D, key: string, limit: number, windowMs: number): void {
  const now = deps.clock.now().getTime();
  const row = read(deps, key);
  if (!row || now - row.windowStart >= windowMs) {
    write(deps, key, 1, now, null);
    return;
  }
  if (row.count >= limit) throw tooMany(row.windowStart + windowMs - now);
  write(deps, key, row.count + 1, row.windowStart, null);
}

/** Fails with `rate_limited` if `key` saw a hit less than `intervalMs` ago; else records one. */
export function atMostEvery(deps: D, key: string, intervalMs: number): void {
  hit(deps, key, 1, intervalMs);
}

export const LOGIN_FREE_FAILURES = 5;
export const LOGIN_MAX_DELAY = 15 * MINUTE;
export const IP_FAILURE_LIMIT = 50;
export const IP_FAILURE_WINDOW = 5 * MINUTE;
/** A run of failures older than this is forgotten. */
const ACCOUNT_FAILURE_MEMORY = DAY;

export interface CredentialCheck {
  accountKey: string;
  /** A log in's: the name typed (`login-name:<name>`), whose own count decides what the answer shows. */
  nameKey?: string;
  ipKey: string;
  /**
   * The account is waiting (its failures came through its other name) but this name is not: the
   * password is not checked, and the attempt fails as a wrong one would. See beginCredentialCheck.
   */
  blind?: boolean;
  /** The account's failures counting this attempt, as reserved before the password is checked. */
  accountFailures?: number;
  /** Set when this attempt, if it fails, locks the account: the wait it imposes. */
  lockMs?: number | null;
  /** Failures from the address counting this attempt. */
  addressFailures?: number;
}

/**
 * Reserve one credential check before verifying the password. The attempt is
 * counted as a failure up front, so checks still running count against the
 * limit; `credentialSucceeded` takes it back.
 *
 * Per account: after 5 failures each further attempt must wait 1 s, doubling,
 * at most 15 minutes. Per address: at most 50 failures in 5 minutes
 * (successes do not count: an intranet puts many people behind one proxy).
 */
export function beginCredentialCheck(deps: D, subject: string, ip: string, name?: string): CredentialCheck {
  // One transaction: the counters move together, with one commit.
  return deps.db.transaction(() => reserveCredentialCheck(deps, subject, ip, name));
}

/** A failure counter with the account rule (5 free, then 1 s doubling, at most 15 minutes). */
function backoff(deps: D, key: string, now: number) {
  const row = read(deps, key);
  const forgotten = !row || now - row.windowStart >= ACCOUNT_FAILURE_MEMORY;
  const waitMs = !forgotten && row.lockedUntil !== null && now < row.lockedUntil ? row.lockedUntil - now : 0;
  return {
    waitMs,
    /** Counts one more failure; returns the count and the wait it imposes (null: none yet). */
    fail() {
      const attempts = (forgotten ? 0 : row.count) + 1;
      const lockedUntil = attempts >= LOGIN_FREE_FAILURES ? now + Math.min(1000 * 2 ** (attempts - LOGIN_FREE_FAILURES), LOGIN_MAX_DELAY) : null;
      write(deps, key, attempts, now, lockedUntil);
      return { attempts, lockMs: lockedUntil === null ? null : lockedUntil - now };
    },
  };
}

/**
 * A log in names an account by its user ID or its email (`name`), so two counters run:
 * - the account's, which limits how often its password is checked, whichever name is typed
 *   (5 free failures, then waits), so parallel or alternating attempts cannot slip past it;
 * - the name's, which decides what the answer shows, exactly as for a name that has no account.
 * While the account waits but the typed name does not (its failures came through the other
 * name), the attempt is not checked and fails as a wrong password does, counting against the
 * name. So a 429 for an address follows only from attempts with that address: locking a user
 * ID and then trying addresses does not tell which address is that account's (SPEC §6).
 */
function reserveCredentialCheck(deps: D, subject: string, ip: string, name?: string): CredentialCheck {
  const now = deps.clock.now().getTime();
  const accountKey = `login-acct:${subject}`;
  const ipKey = `login-ip:${ip}`;
  const ipRow = read(deps, ipKey);
  const ipFresh = !ipRow || now - ipRow.windowStart >= IP_FAILURE_WINDOW;
  if (!ipFresh && ipRow.count >= IP_FAILURE_LIMIT) throw tooMany(ipRow.windowStart + IP_FAILURE_WINDOW - now);

  const nameKey = name === undefined ? undefined : `login-name:${name.toLowerCase()}`;
  const byName = nameKey === undefined || nameKey === accountKey ? null : backoff(deps, nameKey, now);
  const acct = backoff(deps, accountKey, now);
  if (byName ? byName.waitMs : acct.waitMs) throw tooMany(byName ? byName.waitMs : acct.waitMs);
  const addressFailures = ipFresh ? 1 : ipRow.count + 1;
  write(deps, ipKey, addressFailures, ipFresh ? now : ipRow.windowStart, null);
  if (!byName) {
    const { attempts, lockMs } = acct.fail();
    return { accountKey, ipKey, accountFailures: attempts, lockMs, addressFailures };
  }
  const named = byName.fail();
  if (acct.waitMs) return { accountKey, nameKey, ipKey, blind: true, accountFailures: named.attempts, lockMs: named.lockMs, addressFailures };
  const { attempts, lockMs } = acct.fail();
  return { accountKey, nameKey, ipKey, accountFailures: attempts, lockMs: lockMs ?? named.lockMs, addressFailures };
}

/** The password was right: forget the account's failures and take back the address's reserved one. */
export function credentialSucceeded(deps: D, check: CredentialCheck): void {
  deps.db.transaction((tx) => credentialSucceededIn(tx, check));
}

/** The same, inside a transaction the caller commits (a log in, with the session it creates). */
export function credentialSucceededIn(tx: Tx, check: CredentialCheck): void {
  const deps = { db: tx };
  forget(deps, check.accountKey);
  if (check.nameKey) forget(deps, check.nameKey);
  const ipRow = read(deps, check.ipKey);
  if (ipRow && ipRow.count > 0) write(deps, check.ipKey, ipRow.count - 1, ipRow.windowStart, null);
}

/**
 * A new password was set by someone who proved they may (a mailed reset
 * link, the CLI on the server): the account's failed log ins are forgotten,
 * so its person logs in at once instead of waiting out a lock earned with
 * the old password. (An address's count stays: it limits guessing in general.)
 */
export function forgetLoginFailures(tx: Tx, account: { id: string; userId: string; emailLower: string | null }): void {
  const deps = { db: tx };
  forget(deps, `login-acct:${account.id}`);
  forget(deps, `login-name:${account.userId.toLowerCase()}`);
  if (account.emailLower) forget(deps, `login-name:${account.emailLower}`);
}

/** Drops counters whose windows are long over (the hourly cleanup). */
export function pruneThrottles(deps: D): number {
  const cutoff = deps.clock.now().getTime() - ACCOUNT_FAILURE_MEMORY;
  return deps.db.$client.prepare("DELETE FROM throttles WHERE window_start < ? AND coalesce(locked_until, 0) < ?").run(cutoff, deps.clock.now().getTime()).changes;
}
