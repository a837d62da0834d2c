import { and, eq } from "drizzle-orm";
import type { Deps, RequestMeta } from "../deps.js";
import { sessions, type Account } from "../db/schema.js";
import { AppError } from "../errors.js";
import { audit } from "../admin/audit.js";
import { invalidateUserSessions, listUserSessions } from "../auth/sessions.js";

export interface SessionView {
  id: string;
  device: string;
  ip: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

/** The account's sessions, newest first, the current one marked. */
export function mySessions(deps: Deps, accountId: string, currentSessionId: string | null): SessionView[] {
  return listUserSessions(deps, accountId)
    .map((s) => ({
      id: s.id,
      device: s.device,
      ip: s.ip,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastVerifiedAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      current: s.id === currentSessionId,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.createdAt.localeCompare(a.createdAt));
}

/** Ends one of the account's own sessions; another account's id is not_found. */
export function endMySession(deps: Deps, account: Account, sessionId: string, meta: RequestMeta): void {
  deps.db.transaction((tx) => {
    const ended = tx.delete(sessions).where(and(eq(sessions.id, sessionId), eq(sessions.accountId, account.id))).run().changes;
    if (!ended) throw new AppError("not_found");
    const who = { id: account.id, label: account.userId };
    audit(tx, deps, { action: "session.ended", actor: who, target: who, organizationId: account.organizationId, from: meta, detail: { reason: "ended_by_user" } });
  });
}

/** "Log out everywhere": ends every session but the current one. */
export function endOtherSessions(deps: Deps, account: Account, currentSessionId: string | null, meta: RequestMeta): number {
  return deps.db.transaction((tx) => {
    const n = invalidateUserSessions({ db: tx }, account.id, currentSessionId ?? undefined);
    const who = { id: account.id, label: account.userId };
    audit(tx, deps, { action: "session.ended", actor: who, target: who, organizationId: account.organizationId, from: meta, detail: { reason: "logout_everywhere", count: n } });
    return n;
  });
}
