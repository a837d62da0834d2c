import { and, asc, gt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import { auditLog, type Account } from "../db/schema.js";
import { parseInput } from "../accounts/fields.js";
import { adminScope, ref } from "./access.js";
import { audit } from "./audit.js";
import { auditFilterSchema, auditWhere, safeJson } from "./audit-query.js";
import { BATCH, csvField, keysetDownload } from "./export.js";

/**
 * The exported columns. `prevHash` and `hash` let an auditor check the chain
 * outside Roster from the JSON export: each hash is SHA-256 over the previous
 * one, a line break, and the entry's fields as compact JSON (server/admin/audit.ts
 * `entryHash`; the schema's description in openapi-responses-audit-mail.ts says
 * it for clients). The CSV is for reading: a cell a spreadsheet would run is
 * changed.
 */
export const auditExportColumns = ["seq", "at", "action", "actorId", "actorLabel", "targetId", "targetLabel", "organizationId", "ip", "detail", "prevHash", "hash"] as const;

const selected = {
  seq: auditLog.seq, at: auditLog.at, action: auditLog.action, actorId: auditLog.actorId, actorLabel: auditLog.actorLabel,
  targetId: auditLog.targetId, targetLabel: auditLog.targetLabel, organizationId: auditLog.organizationId, ip: auditLog.ip,
  detail: auditLog.detail, prevHash: auditLog.prevHash, hash: auditLog.hash,
};
const SEQ = auditExportColumns.indexOf("seq");
const AT = auditExportColumns.indexOf("at");
const DETAIL = auditExportColumns.indexOf("detail");

export const auditExportSchema = auditFilterSchema.extend({
  format: z.enum(["csv", "json"], { message: "field.invalid" }).default("csv"),
});

/** A raw value as exported: the time as ISO 8601, absent as null. */
const value = (v: unknown, n: number): string | number | null => (v === null || v === undefined ? null : n === AT ? new Date(v as number).toISOString() : (v as string | number));

// Labels are what people typed (a nickname): csvField keeps a spreadsheet from running them (SPEC §4).
const csvLine = (raw: readonly unknown[]) => auditExportColumns.map((_, n) => csvField(value(raw[n], n))).join(",") + "\n";

function jsonLine(raw: readonly unknown[]): string {
  const o: Record<string, unknown> = {};
  auditExportColumns.forEach((name, n) => (o[name] = n === DETAIL ? safeJson(String(raw[n])) : value(raw[n], n)));
  return JSON.stringify(o);
}

/**
 * The audit log as a file, oldest first (as a log is read), for the filters
 * of the list. Taking it away is itself recorded. Streamed in batches like
 * the users export: memory stays flat however long the log.
 */
export function exportAudit(deps: Pick<Deps, "db" | "clock">, actor: Account, query: unknown, meta: Pick<RequestMeta, "ip">, o: { headersOnly?: boolean } = {}) {
  const scope = adminScope(actor);
  const i = parseInput(auditExportSchema, query);
  const where = auditWhere(scope, i);
  if (!o.headersOnly) {
    const filter = Object.fromEntries(Object.entries({ action: i.action, who: i.who, ip: i.ip, from: i.from, to: i.to }).filter(([, v]) => v));
    deps.db.transaction((tx) => audit(tx, deps, { action: "admin.audit_exported", actor: ref(actor), organizationId: scope.organizationId, from: meta, detail: { format: i.format, ...filter } }));
  }
  const page = deps.db
    .select(selected)
    .from(auditLog)
    .where(and(where, gt(auditLog.seq, sql.placeholder("after"))))
    .orderBy(asc(auditLog.seq))
    .limit(BATCH);
  // The export's own entry is written before the first read: a file of the whole log ends with who took it.
  return {
    filename: `roster-audit-${deps.clock.now().toISOString().slice(0, 10)}.${i.format}`,
    ...keysetDownload(deps.db, { format: i.format, columns: auditExportColumns, page, first: 0, key: SEQ, csvLine, jsonLine }),
  };
}
