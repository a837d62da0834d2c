import { createHash } from "node:crypto";
import { asc, desc, gt, sql } from "drizzle-orm";
import type { Deps, RequestMeta } from "../deps.js";
import { auditLog } from "../db/schema.js";
import { preparedFor } from "../db/prepared.js";
import type { Tx } from "../mail/outbox.js";

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntry {
  action: string;
  actor?: { id: string; label: string } | null;
  target?: { id: string; label: string } | null;
  organizationId?: string | null;
  /** Where it came from without a request (the CLI: "cli"); a request's is `from`. */
  ip?: string;
  /** The request: its address, and the API key it came with (in the detail as `apiKey` when the actor is the key's creator). */
  from?: Pick<RequestMeta, "ip" | "apiKey">;
  detail?: Record<string, unknown>;
}

type Row = typeof auditLog.$inferSelect;

function entryHash(prevHash: string, r: Omit<Row, "seq" | "hash" | "prevHash">): string {
  const canonical = JSON.stringify([
    r.at.getTime(),
    r.actorId,
    r.actorLabel,
    r.action,
    r.targetId,
    r.targetLabel,
    r.organizationId,
    r.ip,
    r.detail,
  ]);
  return createHash("sha256").update(prevHash).update("\n").update(canonical).digest("hex");
}

/**
 * Appends to the audit log. Each entry carries the SHA-256 of the one before,
 * so an edited or removed entry breaks the chain. Call it inside the
 * transaction of the change it records: reading the last hash and inserting
 * happen under SQLite's write lock, so two writers cannot fork the chain.
 */
export function audit(tx: Tx, deps: Pick<Deps, "clock">, e: AuditEntry): void {
  const last = preparedFor(tx, "audit.last", () => tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1).prepare()).get();
  const prevHash = last?.hash ?? GENESIS_HASH;
  // The key acted as its creator: it is named where the creator is the actor, not beside someone else
  // (a log in sent with a key's header is that person's own).
  const viaKey = e.from?.apiKey && e.actor?.id === e.from.apiKey.accountId ? e.from.apiKey : undefined;
  const row = {
    at: deps.clock.now(),
    // An empty id (a login that names no account) is no account: null.
    actorId: e.actor?.id || null,
    actorLabel: e.actor?.label ?? "",
    action: e.action,
    targetId: e.target?.id || null,
    targetLabel: e.target?.label ?? "",
    organizationId: e.organizationId ?? null,
    ip: e.from?.ip ?? e.ip ?? "",
    detail: JSON.stringify(viaKey ? { ...e.detail, apiKey: { id: viaKey.id, name: viaKey.name } } : (e.detail ?? {})),
  };
  preparedFor(tx, "audit.insert", () => {
    const p = (name: keyof Row) => sql.placeholder(name);
    return tx
      .insert(auditLog)
      .values({ at: p("at"), actorId: p("actorId"), actorLabel: p("actorLabel"), action: p("action"), targetId: p("targetId"), targetLabel: p("targetLabel"), organizationId: p("organizationId"), ip: p("ip"), detail: p("detail"), prevHash: p("prevHash"), hash: p("hash") })
      .prepare();
  }).run({ ...row, prevHash, hash: entryHash(prevHash, row) });
}

export type ChainResult = { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/** Walks the whole chain in order, in batches, and reports the first break. */
export function verifyAuditChain(deps: Pick<Deps, "db">): ChainResult {
  let prev = GENESIS_HASH;
  let lastSeq = 0;
  let count = 0;
  for (;;) {
    const batch = deps.db.select().from(auditLog).where(gt(auditLog.seq, lastSeq)).orderBy(asc(auditLog.seq)).limit(5000).all();
    if (batch.length === 0) return { ok: true, entries: count };
    for (const r of batch) {
      if (r.prevHash !== prev) return { ok: false, entries: count, brokenAt: r.seq, reason: "an entry before it was removed or changed" };
      if (entryHash(r.prevHash, r) !== r.hash) return { ok: false, entries: count, brokenAt: r.seq, reason: "the entry was changed" };
      prev = r.hash;
      lastSeq = r.seq;
      count++;
    }
  }
}
