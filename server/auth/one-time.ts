import { and, eq, isNull } from "drizzle-orm";
import type { Deps } from "../deps.js";
import { oneTimeTokens, type TokenKind } from "../db/schema.js";
import { AppError } from "../errors.js";
import { newId } from "../ids.js";
import type { Tx } from "../mail/outbox.js";
import { generateCode, generateSecret, hashCode, hashSecret, looksLikeToken } from "./tokens.js";

export type OneTimeToken = typeof oneTimeTokens.$inferSelect;

/**
 * Issues a mailed one-time token (and a 6-digit code when asked). Earlier
 * unused tokens of the same kind for the account are voided: only the newest
 * link works.
 */
export function issueToken(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  o: { kind: TokenKind; accountId: string; email: string | null; ttlMs: number; withCode?: boolean },
): { token: string; code: string | null; row: OneTimeToken } {
  const now = deps.clock.now();
  voidTokens(tx, deps, o.accountId, o.kind);
  const token = generateSecret(20);
  const tokenHash = hashSecret(token);
  const code = o.withCode ? generateCode() : null;
  const row: OneTimeToken = {
    id: newId(),
    kind: o.kind,
    accountId: o.accountId,
    email: o.email,
    tokenHash,
    codeHash: code ? hashCode(tokenHash, code) : null,
    codeAttempts: 0,
    createdAt: now,
    expiresAt: new Date(now.getTime() + o.ttlMs),
    usedAt: null,
  };
  tx.insert(oneTimeTokens).values(row).run();
  return { token, code, row };
}

/** Marks every unused token of `kind` for the account as used. */
export function voidTokens(tx: Tx, deps: Pick<Deps, "clock">, accountId: string, kind: TokenKind): void {
  tx.update(oneTimeTokens)
    .set({ usedAt: deps.clock.now() })
    .where(and(eq(oneTimeTokens.accountId, accountId), eq(oneTimeTokens.kind, kind), isNull(oneTimeTokens.usedAt)))
    .run();
}

/**
 * Finds a usable token of one of `kinds`. A malformed, unknown or used token
 * is `invalid_token`; an expired one `token_expired`. The lookup is by the
 * token's SHA-256, an indexed equality: its time does not depend on how much
 * of the token is right.
 */
export function findToken(tx: Tx, deps: Pick<Deps, "clock">, kinds: TokenKind[], token: unknown): OneTimeToken {
  if (typeof token !== "string" || !looksLikeToken(token)) throw new AppError("invalid_token");
  const row = tx.select().from(oneTimeTokens).where(eq(oneTimeTokens.tokenHash, hashSecret(token))).get();
  if (!row || row.usedAt || !kinds.includes(row.kind)) throw new AppError("invalid_token");
  if (deps.clock.now().getTime() >= row.expiresAt.getTime()) throw new AppError("token_expired");
  return row;
}

export function consumeToken(tx: Tx, deps: Pick<Deps, "clock">, id: string): void {
  tx.update(oneTimeTokens).set({ usedAt: deps.clock.now() }).where(eq(oneTimeTokens.id, id)).run();
}
