import { and, desc, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import { mailOutbox, mailStatuses, type Account, type MailRow } from "../db/schema.js";
import { AppError } from "../errors.js";
import { emailField, parseInput } from "../accounts/fields.js";
import { decodeCursor, encodeCursor, listQuerySchema } from "../pagination.js";
import { likeContains } from "../accounts/text-search.js";
import { audit } from "../admin/audit.js";
import { adminScope, ref, type AdminScope } from "../admin/access.js";
import { queueMail } from "./outbox.js";
import { linkExpired, linkLifetime } from "./worker.js";
import { hit } from "../auth/throttle.js";
import { MINUTE } from "../clock.js";

/**
 * Mail carries links that log people in (resets, setups, invitations), so
 * reading it is taking over. An owner reads all of it. An admin reads only:
 * (a) mail to the current accounts of their organization that they may
 * change (never an owner's: a reset link to it would be the server), and
 * (b) the registration-request mails of their organization, whatever the
 * request's state. Nothing else: not mail to people who merely were invited
 * once (their resets), nor other organizations' mail. Outbox rows carry no
 * organization, so (b) holds an invitation mail to be the organization's
 * when it is the only organization that ever invited that address; when
 * two did, neither admin sees it (an owner does), as the link would let
 * one admin join the other's organization.
 */
export function mailScopeWhere(scope: AdminScope): SQL | undefined {
  if (scope.isOwner) return undefined;
  const org = scope.organizationId;
  if (!org) return sql`0`;
  const to = sql`lower(${mailOutbox.toAddress})`;
  // Invitation mail only by (b): a member's address may have been given another organization's request.
  return sql`((${mailOutbox.kind} <> 'invitation' AND ${to} IN (SELECT a.email_lower FROM accounts a WHERE a.organization_id = ${org} AND a.type <> 'owner' AND a.email_lower IS NOT NULL))
    OR (${mailOutbox.kind} = 'invitation' AND ${to} IN (SELECT i.email_lower FROM invitations i WHERE i.organization_id = ${org})
      AND ${to} NOT IN (SELECT i.email_lower FROM invitations i WHERE i.organization_id <> ${org})))`;
}

export const listSchema = listQuerySchema.extend({
  status: z.enum(mailStatuses, { message: "field.invalid" }).optional().or(z.literal("").transform(() => undefined)),
  kind: z.string().max(50).optional(),
  to: z.string().trim().max(254).optional(),
});

const RAW_SHOWN = 256 * 1024;

export function presentMail(m: MailRow, full = false) {
  return {
    id: m.id,
    kind: m.kind,
    from: m.fromAddress,
    to: m.toAddress,
    subject: m.subject,
    language: m.language,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError,
    lastResponse: m.lastResponse,
    transport: m.transport,
    createdAt: m.createdAt.toISOString(),
    nextAttemptAt: m.status === "queued" || m.status === "deferred" ? m.nextAttemptAt.toISOString() : null,
    sentAt: m.sentAt?.toISOString() ?? null,
    // A relayed message may be 10 MB: the first 256 KB of its source is enough to read it.
    ...(full ? { text: m.text, html: m.html, raw: m.raw ? m.raw.subarray(0, RAW_SHOWN).toString("utf8") : null, rawBytes: m.raw ? m.raw.length : null } : {}),
  };
}

/** The queue, newest first, with states and filters. */
export function listMail(deps: Pick<Deps, "db">, actor: Account, query: unknown) {
  const scope = adminScope(actor);
  const i = parseInput(listSchema, query);
  const where = and(
    mailScopeWhere(scope),
    i.status ? eq(mailOutbox.status, i.status) : undefined,
    i.kind ? eq(mailOutbox.kind, i.kind) : undefined,
    i.to ? sql`lower(${mailOutbox.toAddress}) LIKE ${likeContains(i.to.toLowerCase())} ESCAPE '\\'` : undefined,
  );
  const total = deps.db.select({ n: sql<number>`count(*)` }).from(mailOutbox).where(where).get()?.n ?? 0;
  const before = decodeCursor(i.cursor, "mail");
  const rows = deps.db.select().from(mailOutbox).where(before ? and(where, lt(mailOutbox.id, before)) : where).orderBy(desc(mailOutbox.id)).limit(i.limit + 1).all();
  const page = rows.slice(0, i.limit);
  return { items: page.map((m) => presentMail(m)), nextCursor: rows.length > i.limit ? encodeCursor(page.at(-1)!.id, "mail") : null, total };
}

/** Counts by state, for the dashboard and the page's header. */
export function mailHealth(deps: Pick<Deps, "db" | "config">, actor: Account) {
  const scope = adminScope(actor);
  const rows = deps.db.select({ status: mailOutbox.status, n: sql<number>`count(*)` }).from(mailOutbox).where(mailScopeWhere(scope)).groupBy(mailOutbox.status).all();
  const counts = Object.fromEntries(mailStatuses.map((s) => [s, 0])) as Record<(typeof mailStatuses)[number], number>;
  for (const r of rows) counts[r.status] = r.n;
  return { transport: deps.config.mail.transport, counts };
}

function scopedMail(deps: Pick<Deps, "db">, scope: AdminScope, id: string): MailRow {
  const row = deps.db.select().from(mailOutbox).where(and(eq(mailOutbox.id, id), mailScopeWhere(scope))).get();
  if (!row) throw new AppError("not_found");
  return row;
}

export function getMail(deps: Pick<Deps, "db">, actor: Account, id: string) {
  return presentMail(scopedMail(deps, adminScope(actor), id), true);
}

/** Tries a deferred or failed message again now. */
export function retryMail(deps: Deps, actor: Account, id: string, meta: RequestMeta) {
  const scope = adminScope(actor);
  const row = scopedMail(deps, scope, id);
  if (row.status === "sent" || row.status === "sending") throw new AppError("validation_failed", { status: "field.invalid" }, undefined, `The message is ${row.status}.`);
  const now = deps.clock.now();
  if (linkExpired(row, now)) throw new AppError("validation_failed", { status: "mail.linkExpired" }, undefined, "The link in this message has expired: the person can ask for a new one.");
  deps.db.transaction((tx) => {
    // A retry starts a new 24-hour delivery window: the schedule counts from createdAt. A mail whose
    // link lives shorter keeps its time, so its link's death still ends its retries.
    const window = linkLifetime(row.kind) === undefined ? { createdAt: now } : {};
    tx.update(mailOutbox).set({ status: "queued", nextAttemptAt: now, ...window, attempts: 0 }).where(and(eq(mailOutbox.id, id), inArray(mailOutbox.status, ["deferred", "failed", "queued"]))).run();
    audit(tx, deps, { action: "admin.mail_retried", actor: ref(actor), organizationId: actor.organizationId, from: meta, detail: { mailId: id, to: row.toAddress } });
  });
  deps.mailQueued();
  return presentMail(scopedMail(deps, scope, id));
}

export const testSchema = z.object({ to: emailField.optional() });

/**
 * Queues a test mail (to the admin, or `to`) and waits up to `waitMs` for
 * the worker's first attempt, so the page can show the upstream's answer.
 */
export async function sendTestMail(deps: Deps, actor: Account, input: unknown, meta: RequestMeta, waitMs = 15_000) {
  adminScope(actor);
  const { to: given } = parseInput(testSchema, input);
  // Test mail may go to any address: a few a minute is all a test needs, not a way to send mail out.
  hit(deps, `test-mail:${actor.id}`, 10, 10 * MINUTE);
  const to = given ?? actor.email;
  if (!to) throw new AppError("validation_failed", { to: "field.required" });
  const id = deps.db.transaction((tx) => {
    const mailId = queueMail(tx, deps, to, actor.language, { kind: "test" });
    audit(tx, deps, { action: "admin.mail_test", actor: ref(actor), organizationId: actor.organizationId, from: meta, detail: { to } });
    return mailId;
  });
  deps.mailQueued();
  const until = Date.now() + waitMs;
  let row = deps.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get() as MailRow;
  while (row.attempts === 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    row = deps.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)).get() as MailRow;
  }
  return presentMail(row);
}


