import { z } from "zod";
import { mailStatuses } from "../db/schema.js";
import { count, listOf, named, note, timestamp, transport } from "./openapi-responses-common.js";

/** Response schemas of keeping the server running: the audit log, the data volume, the mail queue, health and readiness. */

const auditParty = z.strictObject({ id: z.string().nullable(), label: z.string() }).nullable();
export const AuditEntry = named(
  "AuditEntry",
  "Who did what to whom, when, from where.",
  z.strictObject({ seq: z.int().min(1), at: timestamp(), action: z.string(), actor: auditParty, target: auditParty, organizationId: z.string().nullable(), ip: z.string(), detail: z.record(z.string(), z.unknown()) }),
);
export const AuditList = listOf("AuditList", AuditEntry);
export const AuditExportRow = named(
  "AuditExportRow",
  "One entry of the exported audit log, with its place in the hash chain: hash = hex SHA-256 of prevHash, a line break, and the compact JSON array [at in ms, actorId, actorLabel, action, targetId, targetLabel, organizationId, ip, detail as compact JSON text] (compact as JavaScript's JSON.stringify writes it: no spaces, non-ASCII characters as they are). Check the chain from the JSON export: in the CSV a cell a spreadsheet would run starts with an apostrophe.",
  z.strictObject({
    seq: z.int().min(1),
    at: timestamp(),
    action: z.string(),
    actorId: z.string().nullable(),
    actorLabel: z.string(),
    targetId: z.string().nullable(),
    targetLabel: z.string(),
    organizationId: z.string().nullable(),
    ip: z.string(),
    detail: z.record(z.string(), z.unknown()),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
export const AuditExport = named("AuditExport", "The JSON export of the audit log, oldest first.", z.array(AuditExportRow));
export const AuditVerify = named(
  "AuditVerify",
  "The hash chain's state; brokenAt is the first entry that does not follow from the one before.",
  z.discriminatedUnion("ok", [
    z.strictObject({ ok: z.literal(true), entries: count(), checkedAt: timestamp() }),
    z.strictObject({ ok: z.literal(false), entries: count(), brokenAt: z.int().min(1), reason: z.string(), checkedAt: timestamp() }),
  ]),
);

export const Storage = named(
  "Storage",
  "The data volume: sizes in bytes; volume is null when it cannot be read.",
  z.strictObject({
    databaseBytes: count(),
    volume: z.strictObject({ freeBytes: count(), totalBytes: count() }).nullable(),
    low: z.boolean(),
    lowBelowBytes: count(),
    backups: z.strictObject({ keep: count(), count: count(), lastAt: timestamp().nullable(), bytes: count(), stale: z.boolean(), nextAt: timestamp().nullable() }),
  }),
);

const mailFields = {
  id: z.string(),
  kind: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  language: note("The language Roster wrote it in; null for relayed mail.", z.string().nullable()),
  status: z.enum(mailStatuses),
  attempts: count(),
  lastError: z.string().nullable(),
  lastResponse: z.string().nullable(),
  transport: note("How it left; null before the first attempt.", transport.nullable()),
  createdAt: timestamp(),
  nextAttemptAt: timestamp().nullable(),
  sentAt: timestamp().nullable(),
};
export const Mail = named("Mail", "A message in the outbound queue.", z.strictObject(mailFields));
export const MailList = named(
  "MailList",
  "A page of the queue, and the transport mail leaves by.",
  z.strictObject({ items: z.array(Mail), nextCursor: z.string().nullable(), total: count(), transport }),
);
export const MailMessage = named(
  "MailMessage",
  "A message in full; raw: the first 256 KB of a relayed message's source.",
  z.strictObject({ ...mailFields, text: z.string(), html: z.string().nullable(), raw: z.string().nullable(), rawBytes: count().nullable() }),
);
export const MailHealth = named("MailHealth", "Messages by state.", z.strictObject({ transport, counts: z.strictObject(Object.fromEntries(mailStatuses.map((s) => [s, count()])) as Record<(typeof mailStatuses)[number], z.ZodInt>) }));

export const Health = named("Health", "", z.strictObject({ status: z.literal("ok") }));
export const Ready = named("Ready", "", z.strictObject({ status: z.literal("ready") }));
export const NotReady = named("NotReady", "Which check failed.", z.strictObject({ status: z.literal("unavailable"), database: z.literal(false).optional(), migrations: z.literal(false).optional() }));
