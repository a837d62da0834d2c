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
/** `rate_limited` by one counter (`key`), with the seconds to wait: a log in's account or address, or any `hit` key. */
class Refusal extends AppError {
  constructor(
    retryAfterMs: number,
    readonly key: string,
  ) {
    super("rate_limited", undefined, Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
}

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
  if (row.count >= limit) throw new Refusal(row.windowStart + windowMs - now, key);
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
  ipKey: string;
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
export function beginCredentialCheck(deps: D, subject: string, ip: string): CredentialCheck {
  // One transaction: both counters move together, with one commit.
  return deps.db.transaction(() => reserveCredentialCheck(deps, subject, ip));
}

function reserveCredentialCheck(deps: D, subject: string, ip: string): CredentialCheck {
  const now = deps.clock.now().getTime();
  const accountKey = `login-acct:${subject}`;
  const ipKey = `login-ip:${ip}`;
  const ipRow = read(deps, ipKey);
  const ipFresh = !ipRow || now - ipRow.windowStart >= IP_FAILURE_WINDOW;
  if (!ipFresh && ipRow.count >= IP_FAILURE_LIMIT) throw new Refusal(ipRow.windowStart + IP_FAILURE_WINDOW - now, ipKey);

  const acct = read(deps, accountKey);
  const forgotten = !acct || now - acct.windowStart >= ACCOUNT_FAILURE_MEMORY;
  const previous = forgotten ? 0 : acct.count;
  if (!forgotten && acct.lockedUntil !== null && now < acct.lockedUntil) throw new Refusal(acct.lockedUntil - now, accountKey);

  const attempts = previous + 1;
  const lockedUntil =
    attempts >= LOGIN_FREE_FAILURES ? now + Math.min(1000 * 2 ** (attempts - LOGIN_FREE_FAILURES), LOGIN_MAX_DELAY) : null;
  const addressFailures = ipFresh ? 1 : ipRow.count + 1;
  write(deps, accountKey, attempts, now, lockedUntil);
  write(deps, ipKey, addressFailures, ipFresh ? now : ipRow.windowStart, null);
  return { accountKey, ipKey, accountFailures: attempts, lockMs: lockedUntil === null ? null : lockedUntil - now, addressFailures };
}

/**
 * Checks under way, by counter key, per database, and the attempts waiting in
 * line for one of them to end. A check under way counts as a failure until it
 * ends; an attempt refused only because of such checks waits its turn instead
 * of getting a 429: thirty devices logging in to one account at once, or a
 * Monday morning behind one proxy address, are not failures (SPEC §6:
 * successes do not count). Once they end, it is counted as they turned out:
 * wrong passwords still lock, and no more checks run in parallel than the
 * throttle allows.
 *
 * Each check that ends wakes the first in line, not all of them (a thousand
 * waiters each retrying a write transaction at every end stalled the event
 * loop for a second). One that gets in wakes the next, since a success can
 * make room for several; one refused again goes back to the front; one that
 * gives up hands its turn on.
 */
const underWay = new WeakMap<object, Map<string, { checks: number; line: (() => void)[] }>>();

/**
 * How long an attempt waits in line before it is refused after all: less
 * than a stopping server gives requests in flight (server/main.ts, 5 s), so a
 * waiting log in is answered rather than cut off.
 */
export const CHECK_QUEUE_WAIT_MS = 4_000;

/** What is under way on `key`, if anything. */
const find = (deps: D, key: string) => underWay.get(deps.db)?.get(key);

function entry(deps: D, key: string) {
  let byKey = underWay.get(deps.db);
  if (!byKey) underWay.set(deps.db, (byKey = new Map()));
  let e = byKey.get(key);
  if (!e) byKey.set(key, (e = { checks: 0, line: [] }));
  return e;
}

/** Drops a key nothing is under way or waiting on, so the map holds only what is in flight. */
function tidy(deps: D, key: string) {
  const e = find(deps, key);
  if (e && e.checks <= 0 && e.line.length === 0) underWay.get(deps.db)!.delete(key);
}

/** Wakes the first attempt waiting on `key`, if any. */
function wakeNext(deps: D, key: string) {
  find(deps, key)?.line[0]?.();
}

/** Waits in line on `key` (at its front when `first`) until woken, or for `ms`. */
function waitInLine(deps: D, key: string, ms: number, first: boolean): Promise<void> {
  const e = entry(deps, key);
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      const i = e.line.indexOf(wake);
      if (i >= 0) e.line.splice(i, 1);
      tidy(deps, key);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    if (first) e.line.unshift(wake);
    else e.line.push(wake);
  });
}

/**
 * `beginCredentialCheck`, waiting in line while it is refused only because
 * checks of the same account or address are under way. End it with
 * `endCredentialCheck`. `waited` says the caller's view of the account may be
 * stale.
 */
export async function startCredentialCheck(deps: D, subject: string, ip: string, maxWaitMs = CHECK_QUEUE_WAIT_MS): Promise<CredentialCheck & { waited: boolean }> {
  const deadline = performance.now() + maxWaitMs;
  let waitedOn: string | null = null;
  for (;;) {
    try {
      const check = beginCredentialCheck(deps, subject, ip);
      entry(deps, check.accountKey).checks++;
      entry(deps, check.ipKey).checks++;
      // In: there may be room for the next in line too.
      if (waitedOn) wakeNext(deps, waitedOn);
      return { ...check, waited: waitedOn !== null };
    } catch (e) {
      const key = e instanceof Refusal && (find(deps, e.key)?.checks ?? 0) > 0 ? e.key : null;
      const left = deadline - performance.now();
      // Its turn on the line it waited in is not taken: the next one gets it.
      if (waitedOn && (waitedOn !== key || left <= 0)) wakeNext(deps, waitedOn);
      if (!key || left <= 0) throw e;
      await waitInLine(deps, key, left, waitedOn === key);
      waitedOn = key;
    }
  }
}

/** A check has ended (its outcome committed): the first attempt in line on each of its counters tries again. */
export function endCredentialCheck(deps: D, check: CredentialCheck): void {
  for (const key of [check.accountKey, check.ipKey]) {
    const e = find(deps, key);
    if (!e) continue;
    e.checks--;
    wakeNext(deps, key);
    tidy(deps, key);
  }
}

/** The password was right: forget the account's failures and take back the address's reserved one. */
export function credentialSucceeded(deps: D, check: CredentialCheck): void {
  deps.db.transaction((tx) => credentialSucceededIn(tx, check));
}

/** The same, inside a transaction the caller commits (a log in, with the session it creates). */
export function credentialSucceededIn(tx: Tx, check: CredentialCheck): void {
  const deps = { db: tx };
  forget(deps, check.accountKey);
  const ipRow = read(deps, check.ipKey);
  if (ipRow && ipRow.count > 0) write(deps, check.ipKey, ipRow.count - 1, ipRow.windowStart, null);
}

/**
 * A new password was set by someone who proved they may (a mailed reset
 * link, the CLI on the server): the account's failed log ins are forgotten,
 * so its person logs in at once instead of waiting out a lock earned with
 * the old password. (An address's count stays: it limits guessing in general.)
 */
export function forgetLoginFailures(tx: Tx, accountId: string): void {
  forget({ db: tx }, `login-acct:${accountId}`);
}

/** Drops counters whose windows are long over (the hourly cleanup). */
export function pruneThrottles(deps: D): number {
  const cutoff = deps.clock.now().getTime() - ACCOUNT_FAILURE_MEMORY;
  return deps.db.$client.prepare("DELETE FROM throttles WHERE window_start < ? AND coalesce(locked_until, 0) < ?").run(cutoff, deps.clock.now().getTime()).changes;
}
