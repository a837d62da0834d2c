import { and, eq, ne, sql } from "drizzle-orm";
import { DAY, HOUR } from "../clock.js";
import type { Deps } from "../deps.js";
import { unlessStorageFails } from "../errors.js";
import type { Tx } from "../db/client.js";
import { accounts, sessions, type Account, type Session } from "../db/schema.js";
import { rawColumns } from "../db/rows.js";
import { generateSecret, hashSecret, sameHash } from "./tokens.js";
import { preparedFor } from "../db/prepared.js";

/**
 * Sessions as Lucia's current guide builds them: the token is `id.secret`,
 * the row holds only SHA-256(secret), and the expiry slides forward on use
 * but is written at most once an hour, so a validated request costs one
 * indexed read and no write.
 */
export const SESSION_LIFETIME = 30 * DAY;
export const SESSION_WRITE_INTERVAL = HOUR;
export const SESSION_COOKIE = "roster_session";

export interface SessionWithToken {
  session: Session;
  token: string;
}

export interface ValidSession {
  session: Session;
  account: Account;
  organizationName: string | null;
  /** True when this validation slid the expiry forward (a cookie carrying it should be renewed). */
  extended?: boolean;
}

export function createSession(deps: { db: Tx; clock: Deps["clock"] }, accountId: string, meta: { device: string; ip: string }): SessionWithToken {
  const now = deps.clock.now();
  const id = generateSecret(15);
  const secret = generateSecret(20);
  const session: Session = {
    id,
    accountId,
    secretHash: hashSecret(secret),
    device: meta.device.slice(0, 200),
    ip: meta.ip.slice(0, 64),
    createdAt: now,
    lastVerifiedAt: now,
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME),
  };
  preparedFor(deps.db, "sessions.insert", () => {
    const p = (name: keyof Session) => sql.placeholder(name);
    return deps.db
      .insert(sessions)
      .values({ id: p("id"), accountId: p("accountId"), secretHash: p("secretHash"), device: p("device"), ip: p("ip"), createdAt: p("createdAt"), lastVerifiedAt: p("lastVerifiedAt"), expiresAt: p("expiresAt") })
      .prepare();
  }).run(session);
  return { session, token: `${id}.${secret}` };
}

const sessionColumns = rawColumns(sessions);
const accountColumns = rawColumns(accounts);
/** Session, account and organization name in one indexed read, prepared once per connection, decoded without drizzle's row mapping. */
const lookup = (db: Deps["db"]) =>
  preparedFor(db, "sessions.validate", () =>
    db.$client
      .prepare(
        `SELECT ${sessionColumns.select("s")}, ${accountColumns.select("a")}, o.name
           FROM sessions s JOIN accounts a ON a.id = s.account_id LEFT JOIN organizations o ON o.id = a.organization_id
          WHERE s.id = ?`,
      )
      .raw(),
  );

/** Returns the session and its account, or null for anything not valid. */
export function validateSessionToken(deps: Pick<Deps, "db" | "clock">, token: string): ValidSession | null {
  const dot = token.indexOf(".");
  if (dot < 1 || token.length > 200) return null;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  const raw = lookup(deps.db).get(id) as unknown[] | undefined;
  if (!raw) return null;
  const row: ValidSession = {
    session: sessionColumns.decode(raw, 0),
    account: accountColumns.decode(raw, sessionColumns.count),
    organizationName: raw[sessionColumns.count + accountColumns.count] as string | null,
  };
  if (!sameHash(hashSecret(secret), row.session.secretHash)) return null;
  const now = deps.clock.now().getTime();
  if (now >= row.session.expiresAt.getTime()) {
    unlessStorageFails(() => deps.db.delete(sessions).where(eq(sessions.id, id)).run());
    return null;
  }
  // A disabled account has no sessions (they end at once), but check anyway.
  if (row.account.status !== "active") return null;
  if (now - row.session.lastVerifiedAt.getTime() >= SESSION_WRITE_INTERVAL) {
    const lastVerifiedAt = new Date(now);
    const expiresAt = new Date(now + SESSION_LIFETIME);
    const written = unlessStorageFails(() =>
      deps.db.update(sessions).set({ lastVerifiedAt, expiresAt }).where(eq(sessions.id, id)).run(),
    );
    // A token check only reads; when the database cannot be written (a full data volume) it still
    // answers, and the session, not extended this time, holds until its current expiry.
    if (!written) return row;
    return { ...row, session: { ...row.session, lastVerifiedAt, expiresAt }, extended: true };
  }
  return row;
}

export function invalidateSession(deps: { db: Tx }, sessionId: string): void {
  deps.db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Ends every session of the account, or every one but `exceptSessionId`. Returns how many ended. */
export function invalidateUserSessions(deps: { db: Tx }, accountId: string, exceptSessionId?: string): number {
  const where = exceptSessionId
    ? and(eq(sessions.accountId, accountId), ne(sessions.id, exceptSessionId))
    : eq(sessions.accountId, accountId);
  return deps.db.delete(sessions).where(where).run().changes;
}

export function listUserSessions(deps: { db: Tx }, accountId: string): Session[] {
  return deps.db.select().from(sessions).where(eq(sessions.accountId, accountId)).orderBy(sessions.createdAt).all();
}

/** A short device name from a user agent: "Chrome on Windows". */
export function deviceName(userAgent: string): string {
  const ua = userAgent || "";
  const browser =
    /Edg\//.test(ua) ? "Edge"
    : /OPR\/|Opera/.test(ua) ? "Opera"
    : /Firefox\//.test(ua) ? "Firefox"
    : /Chrome\/|Chromium\//.test(ua) ? "Chrome"
    : /Safari\//.test(ua) ? "Safari"
    : /curl\//.test(ua) ? "curl"
    : "";
  const os =
    /Windows/.test(ua) ? "Windows"
    : /iPhone|iPad|iOS/.test(ua) ? "iOS"
    : /Android/.test(ua) ? "Android"
    : /Mac OS X|Macintosh/.test(ua) ? "macOS"
    : /CrOS/.test(ua) ? "ChromeOS"
    : /Linux/.test(ua) ? "Linux"
    : "";
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || ua.slice(0, 60) || "Unknown device";
}
