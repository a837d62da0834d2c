import { and, desc, eq, lt, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { DAY } from "../clock.js";
import type { Deps, RequestMeta } from "../deps.js";
import type { Tx } from "../db/client.js";
import { invitations, organizations, type Account, type Organization } from "../db/schema.js";
import { AppError, type ErrorCode, type FieldErrors } from "../errors.js";
import { newId } from "../ids.js";
import { generateSecret, hashSecret, looksLikeToken } from "../auth/tokens.js";
import { emailField, issuesToFields, languageField, parseInput, textField } from "../accounts/fields.js";
import { findByEmail } from "../accounts/store.js";
import { queueMail } from "../mail/outbox.js";
import { audit } from "../admin/audit.js";
import { adminScope, ref, targetOrganization, type AdminScope } from "../admin/access.js";
import { decodeCursor, encodeCursor, listQuerySchema } from "../pagination.js";

export const INVITATION_TTL = 7 * DAY;
export type Invitation = typeof invitations.$inferSelect;

/** Pending requests past their date read as expired; the row is updated lazily. */
export const effectiveStatus = (i: Invitation, now: Date): Invitation["status"] =>
  i.status === "pending" && i.expiresAt.getTime() <= now.getTime() ? "expired" : i.status;

export function presentInvitation(i: Invitation, now: Date, orgName?: string) {
  return {
    id: i.id,
    email: i.email,
    type: i.type,
    message: i.message,
    language: i.language,
    status: effectiveStatus(i, now),
    organization: { id: i.organizationId, name: orgName ?? "" },
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
  };
}

export const sendSchema = z.object({
  /** One address, or many (a pasted list: commas, semicolons, spaces or new lines). */
  email: z.string().max(100_000).optional(),
  emails: z.array(z.string().max(254)).max(1000).optional(),
  type: z.enum(["general", "admin"], { message: "field.invalid" }).default("general"),
  message: textField("field.tooLong", { max: 1000, lines: true }).default(""),
  organizationId: z.string().max(64).optional(),
  /** The mail's language for an address with no account here; one with an account gets its own. Default: the sender's. */
  language: languageField.optional(),
});

export interface SendResult {
  email: string;
  status: "sent" | "error";
  code?: ErrorCode;
  /** With a refusal: the message of each field that caused it. */
  fields?: FieldErrors;
  invitation?: ReturnType<typeof presentInvitation>;
}

function expireStale(tx: Tx, now: Date, orgId: string): void {
  tx.update(invitations).set({ status: "expired", updatedAt: now }).where(and(eq(invitations.organizationId, orgId), eq(invitations.status, "pending"), lt(invitations.expiresAt, now))).run();
}

function mailInvitation(tx: Tx, deps: Pick<Deps, "clock" | "config">, inv: Invitation, org: Organization, inviter: Account, token: string, language: string) {
  queueMail(tx, deps, inv.email, language, {
    kind: "invitation",
    organization: org.name,
    inviter: inviter.nickname || inviter.userId,
    message: inv.message,
    url: `${deps.config.baseUrl}/invite/${token}`,
  });
}

/**
 * SPEC §3's refusals for a request to `email` becoming pending in `org`:
 * already a member, managed by another organization, a request to the address
 * already pending, or pendingLimit reached. `resending` is a request of the
 * organization's own that is not counted against itself. Returns the
 * address's personal account, if it has one.
 */
function assertMaySend(tx: Tx, now: Date, org: Organization, email: string, resending?: string): Account | undefined {
  const existing = findByEmail(tx, email);
  if (existing?.organizationId === org.id) throw new AppError("already_member");
  if (existing?.organizationId) throw new AppError("managed_by_other_organization");
  expireStale(tx, now, org.id);
  const others = and(eq(invitations.organizationId, org.id), eq(invitations.status, "pending"), resending ? ne(invitations.id, resending) : undefined);
  if (tx.select({ id: invitations.id }).from(invitations).where(and(others, eq(invitations.emailLower, email.toLowerCase()))).get()) throw new AppError("invitation_pending");
  if ((tx.select({ n: sql<number>`count(*)` }).from(invitations).where(others).get()?.n ?? 0) >= org.pendingLimit) throw new AppError("pending_limit_reached");
  return existing;
}

/** One registration request, inside the caller's transaction; throws the SPEC's refusal codes. */
function sendOne(tx: Tx, deps: Pick<Deps, "clock" | "config">, scope: AdminScope, org: Organization, email: string, i: { type: "general" | "admin"; message: string; language?: string }, meta: RequestMeta): Invitation {
  const now = deps.clock.now();
  const existing = assertMaySend(tx, now, org, email);
  const token = generateSecret(20);
  // A person who has an account here has said which language they read; the admin's choice is for everyone else.
  const language = existing?.language ?? i.language ?? scope.actor.language;
  const inv: Invitation = {
    id: newId(), organizationId: org.id, email, emailLower: email.toLowerCase(), type: i.type, message: i.message, language, status: "pending",
    tokenHash: hashSecret(token), invitedBy: scope.actor.id, acceptedAccountId: null, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_TTL), updatedAt: now,
  };
  tx.insert(invitations).values(inv).run();
  mailInvitation(tx, deps, inv, org, scope.actor, token, language);
  audit(tx, deps, { action: "admin.invitation_sent", actor: ref(scope.actor), organizationId: org.id, from: meta, detail: { email, type: i.type } });
  return inv;
}

// NFKC first, so full-width "，" "；" "＜＞" typed with an input method separate addresses too.
export const splitEmails = (s: string): string[] => s.normalize("NFKC").split(/[\s,;]+/).map((x) => x.trim().replace(/^<|>$/g, "")).filter(Boolean);

/** Sends registration requests to one or many addresses; each address gets its own result. */
export function sendInvitations(deps: Deps, actor: Account, input: unknown, meta: RequestMeta): { results: SendResult[] } {
  const scope = adminScope(actor);
  const i = parseInput(sendSchema, input);
  const emails = [...new Set([...(i.emails ?? []), ...(i.email ? splitEmails(i.email) : [])])];
  if (emails.length === 0) throw new AppError("validation_failed", { email: "field.required" });
  if (emails.length > 1000) throw new AppError("validation_failed", { email: "field.tooLong" });
  const results = emails.map((raw): SendResult => {
    const parsed = emailField.safeParse(raw);
    if (!parsed.success) return { email: raw, status: "error", code: "validation_failed", fields: issuesToFields(parsed.error.issues.map((x) => ({ ...x, path: ["email"] })), { email: raw }) };
    try {
      const inv = deps.db.transaction(
        (tx) => {
          const org = targetOrganization(tx, scope, i.organizationId);
          if (i.type === "admin" && !scope.actor.organizationId) throw new AppError("forbidden");
          return { inv: sendOne(tx, deps, scope, org, parsed.data, i, meta), org };
        },
        { behavior: "immediate" },
      );
      return { email: parsed.data, status: "sent", invitation: presentInvitation(inv.inv, deps.clock.now(), inv.org.name) };
    } catch (e) {
      // Two admins racing for one address: the database's partial unique index lets one win.
      if (e instanceof Error && /UNIQUE constraint failed: invitations/.test(e.message)) return { email: parsed.data, status: "error", code: "invitation_pending" };
      if (e instanceof AppError) return { email: parsed.data, status: "error", code: e.code, ...(e.fields ? { fields: e.fields } : {}) };
      throw e;
    }
  });
  deps.mailQueued();
  return { results };
}

export const listSchema = listQuerySchema.extend({ status: z.enum(["pending", "accepted", "revoked", "expired"]).optional(), organizationId: z.string().max(64).optional() });

export function listInvitations(deps: Pick<Deps, "db" | "clock">, actor: Account, query: unknown) {
  const scope = adminScope(actor);
  const i = parseInput(listSchema, query);
  const now = deps.clock.now();
  const org = scope.organizationId ?? i.organizationId;
  const where = and(
    org ? eq(invitations.organizationId, org) : undefined,
    i.status === "pending" ? and(eq(invitations.status, "pending"), sql`${invitations.expiresAt} > ${now.getTime()}`) : undefined,
    i.status === "expired" ? sql`(${invitations.status} = 'expired' OR (${invitations.status} = 'pending' AND ${invitations.expiresAt} <= ${now.getTime()}))` : undefined,
    i.status === "accepted" || i.status === "revoked" ? eq(invitations.status, i.status) : undefined,
  );
  const total = deps.db.select({ n: sql<number>`count(*)` }).from(invitations).where(where).get()?.n ?? 0;
  const before = decodeCursor(i.cursor, "invitations");
  const rows = deps.db
    .select({ inv: invitations, org: organizations.name })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(before ? and(where, lt(invitations.id, before)) : where)
    .orderBy(desc(invitations.id))
    .limit(i.limit + 1)
    .all();
  const page = rows.slice(0, i.limit);
  return { items: page.map((r) => presentInvitation(r.inv, now, r.org)), nextCursor: rows.length > i.limit ? encodeCursor(page.at(-1)!.inv.id, "invitations") : null, total };
}

function scopedInvitation(tx: Tx, scope: AdminScope, id: string) {
  const row = tx.select({ inv: invitations, org: organizations }).from(invitations).innerJoin(organizations, eq(organizations.id, invitations.organizationId)).where(eq(invitations.id, id)).get();
  if (!row || (scope.organizationId && row.inv.organizationId !== scope.organizationId)) throw new AppError("not_found");
  return row;
}

export function revokeInvitation(deps: Deps, actor: Account, id: string, meta: RequestMeta): void {
  const scope = adminScope(actor);
  deps.db.transaction((tx) => {
    const { inv } = scopedInvitation(tx, scope, id);
    const status = effectiveStatus(inv, deps.clock.now());
    if (status === "revoked") return;
    if (status !== "pending") throw new AppError("validation_failed", { status: "field.invalid" }, undefined, `The request is ${status}.`);
    tx.update(invitations).set({ status: "revoked", updatedAt: deps.clock.now() }).where(eq(invitations.id, id)).run();
    audit(tx, deps, { action: "admin.invitation_revoked", actor: ref(actor), organizationId: inv.organizationId, from: meta, detail: { email: inv.email } });
  });
}

/** A new link (the old one stops working) and seven more days. Works for expired requests too. */
export function resendInvitation(deps: Deps, actor: Account, id: string, meta: RequestMeta) {
  const scope = adminScope(actor);
  const r = deps.db.transaction(
    (tx) => {
      const { inv, org } = scopedInvitation(tx, scope, id);
      const now = deps.clock.now();
      if (inv.status === "accepted" || inv.status === "revoked") throw new AppError("validation_failed", { status: "field.invalid" }, undefined, `The request is ${inv.status}.`);
      // Sent again, a request is pending once more: the same rules as sending it (SPEC §3).
      assertMaySend(tx, now, org, inv.email, inv.id);
      const token = generateSecret(20);
      const updated = { ...inv, status: "pending" as const, tokenHash: hashSecret(token), expiresAt: new Date(now.getTime() + INVITATION_TTL), updatedAt: now };
      tx.update(invitations).set({ status: updated.status, tokenHash: updated.tokenHash, expiresAt: updated.expiresAt, updatedAt: now }).where(eq(invitations.id, id)).run();
      mailInvitation(tx, deps, updated, org, actor, token, findByEmail(tx, inv.email)?.language ?? inv.language);
      audit(tx, deps, { action: "admin.invitation_resent", actor: ref(actor), organizationId: inv.organizationId, from: meta, detail: { email: inv.email } });
      return presentInvitation(updated, now, org.name);
    },
    { behavior: "immediate" },
  );
  deps.mailQueued();
  return r;
}

/** The request behind a link, for the accept page; unknown links are invalid_token. */
export function findInvitationByToken(tx: Tx, token: unknown) {
  if (typeof token !== "string" || !looksLikeToken(token)) throw new AppError("invalid_token");
  const row = tx.select({ inv: invitations, org: organizations }).from(invitations).innerJoin(organizations, eq(organizations.id, invitations.organizationId)).where(eq(invitations.tokenHash, hashSecret(token))).get();
  if (!row) throw new AppError("invalid_token");
  return row;
}


