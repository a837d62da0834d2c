import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { auditLog, type Account } from "../db/schema.js";
import { fieldError, parseInput } from "../accounts/fields.js";
import { decodeCursor, encodeCursor, listQuerySchema } from "../pagination.js";
import { likeContains, likePrefix } from "../accounts/text-search.js";
import { adminScope, type AdminScope } from "./access.js";
import { verifyAuditChain } from "./audit.js";

export const querySchema = listQuerySchema.extend({
  action: z.string().trim().max(100).optional(),
  /** Matches the actor's or the target's id or label. */
  who: z.string().trim().max(200).optional(),
  ip: z.string().trim().max(64).optional(),
  from: z.iso.datetime({ offset: true, message: "field.invalid" }).or(z.iso.date({ message: "field.invalid" })).optional(),
  to: z.iso.datetime({ offset: true, message: "field.invalid" }).or(z.iso.date({ message: "field.invalid" })).optional(),
});

/** The filters of the audit log's list and export; an admin's own organization only. */
export const auditFilterSchema = querySchema.omit({ cursor: true, limit: true });

/** The entries the filters choose, as SQL. */
export function auditWhere(scope: AdminScope, i: z.infer<typeof auditFilterSchema>): SQL | undefined {
  const where: SQL[] = [];
  if (scope.organizationId) where.push(eq(auditLog.organizationId, scope.organizationId));
  // A prefix ("admin." or "admin.user_deleted"), its own % and _ taken literally.
  if (i.action) where.push(sql`${auditLog.action} LIKE ${likePrefix(i.action)} ESCAPE '\\'`);
  if (i.who) {
    const p = likeContains(i.who);
    where.push(or(eq(auditLog.actorId, i.who), eq(auditLog.targetId, i.who), sql`${auditLog.actorLabel} LIKE ${p} ESCAPE '\\'`, sql`${auditLog.targetLabel} LIKE ${p} ESCAPE '\\'`) as SQL);
  }
  if (i.ip) where.push(eq(auditLog.ip, i.ip));
  if (i.from) where.push(gte(auditLog.at, new Date(i.from)));
  if (i.to) where.push(lt(auditLog.at, new Date(i.to.length === 10 ? `${i.to}T23:59:59.999Z` : i.to)));
  return where.length ? and(...where) : undefined;
}

/** Who did what to whom, when, from where; newest first. Admins see their organization's entries. */
export function listAudit(deps: Pick<Deps, "db">, actor: Account, query: unknown) {
  const scope = adminScope(actor);
  const i = parseInput(querySchema, query);
  const base = auditWhere(scope, i);
  const total = deps.db.select({ n: sql<number>`count(*)` }).from(auditLog).where(base).get()?.n ?? 0;
  const cursor = decodeCursor(i.cursor);
  // A cursor this list did not make is refused, as every other list does, not taken for the first page.
  if (cursor !== null && !/^\d{1,15}$/.test(cursor)) throw fieldError("cursor", "field.invalid");
  const before = cursor === null ? NaN : Number(cursor);
  const rows = deps.db
    .select()
    .from(auditLog)
    .where(Number.isFinite(before) ? and(base, lt(auditLog.seq, before)) : base)
    .orderBy(desc(auditLog.seq))
    .limit(i.limit + 1)
    .all();
  const page = rows.slice(0, i.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      action: r.action,
      actor: r.actorId || r.actorLabel ? { id: r.actorId, label: r.actorLabel } : null,
      target: r.targetId || r.targetLabel ? { id: r.targetId, label: r.targetLabel } : null,
      organizationId: r.organizationId,
      ip: r.ip,
      detail: safeJson(r.detail),
    })),
    nextCursor: rows.length > i.limit && last ? encodeCursor(String(last.seq)) : null,
    total,
  };
}

export const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
};

const chainCache = new WeakMap<object, { at: number; result: ReturnType<typeof verifyAuditChain> }>();
const CHAIN_CACHE_MS = 60_000;

/**
 * The chain status shown on the audit page ("chain verified"). Walking the
 * whole log costs time on a large server, so a page view reuses a result
 * less than a minute old; `roster verify-audit` always walks it all.
 */
export function auditChainStatus(deps: Pick<Deps, "db" | "clock">, actor: Account) {
  adminScope(actor);
  const cached = chainCache.get(deps.db);
  const now = deps.clock.now().getTime();
  // `checkedAt`: the check is kept for a minute, so entries written since are not in its count yet.
  if (cached && now - cached.at < CHAIN_CACHE_MS && now >= cached.at) return { ...cached.result, checkedAt: new Date(cached.at).toISOString() };
  const result = verifyAuditChain(deps);
  chainCache.set(deps.db, { at: now, result });
  return { ...result, checkedAt: new Date(now).toISOString() };
}
