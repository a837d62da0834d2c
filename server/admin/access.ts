import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Tx } from "../db/client.js";
import { accounts, organizations, type Account, type Organization } from "../db/schema.js";
import { AppError } from "../errors.js";
import { findById } from "../accounts/store.js";
import { fieldError } from "../accounts/fields.js";

/**
 * Who an admin action is done by, and how far it reaches: an admin sees and
 * changes only accounts of their own organization (others answer 404, so an
 * id tells nothing); an owner sees all.
 */
export interface AdminScope {
  actor: Account;
  /** null: server-wide (an owner). */
  organizationId: string | null;
  isOwner: boolean;
}

export const isAdminType = (t: Account["type"]) => t === "admin" || t === "owner";

export function adminScope(actor: Account | null | undefined): AdminScope {
  if (!actor) throw new AppError("unauthenticated");
  if (actor.status !== "active" || !isAdminType(actor.type)) throw new AppError("forbidden");
  const isOwner = actor.type === "owner";
  return { actor, organizationId: isOwner ? null : actor.organizationId, isOwner };
}

export function ownerScope(actor: Account | null | undefined): AdminScope {
  const s = adminScope(actor);
  if (!s.isOwner) throw new AppError("forbidden");
  return s;
}

export const inScope = (s: AdminScope, a: Pick<Account, "organizationId">): boolean =>
  s.organizationId === null || a.organizationId === s.organizationId;

/** The account, if the scope reaches it; otherwise not_found (never forbidden: ids stay opaque). */
export function scopedAccount(tx: Tx, s: AdminScope, id: string): Account {
  const a = typeof id === "string" && id.length <= 64 ? findById(tx, id) : undefined;
  if (!a || !inScope(s, a)) throw new AppError("not_found");
  return a;
}

/**
 * SPEC §2: an owner is an admin who also administers the server, so only an
 * owner may change an owner account. An admin of the owner's organization
 * still sees it (reads, lists, exports), but every change is `forbidden` —
 * otherwise an admin could change the owner's email, reset its password and
 * take the server over.
 */
export const mayChange = (s: AdminScope, a: Pick<Account, "type">): boolean => s.isOwner || a.type !== "owner";

export function assertChangeable(s: AdminScope, a: Pick<Account, "type">): void {
  if (!mayChange(s, a)) throw new AppError("forbidden", undefined, undefined, "Only an owner can change an owner's account.");
}

/** The account, for a write: not_found outside the scope (as scopedAccount), forbidden when it is an owner and the actor is not. */
export function changeableAccount(tx: Tx, s: AdminScope, id: string): Account {
  const a = scopedAccount(tx, s, id);
  assertChangeable(s, a);
  return a;
}

/** How many admins and owners the organization has (optionally only active ones, or not counting one account). */
export function countAdmins(tx: Tx, organizationId: string, o: { activeOnly?: boolean; except?: string } = {}): number {
  const filters = [eq(accounts.organizationId, organizationId), inArray(accounts.type, ["admin", "owner"])];
  if (o.activeOnly) filters.push(eq(accounts.status, "active"));
  if (o.except) filters.push(ne(accounts.id, o.except));
  return tx.select({ n: sql<number>`count(*)` }).from(accounts).where(and(...filters)).get()?.n ?? 0;
}

/**
 * SPEC §2: an organization always keeps at least one active admin. Throws
 * `last_admin` if taking `a` away (demote, disable, delete) would leave none.
 */
export function assertNotLastAdmin(tx: Tx, a: Account): void {
  if (!a.organizationId || !isAdminType(a.type) || a.status !== "active") return;
  if (countAdmins(tx, a.organizationId, { activeOnly: true, except: a.id }) === 0) throw new AppError("last_admin");
}

/** Audit shorthand: `{ id, label }` of an account. */
export const ref = (a: Pick<Account, "id" | "userId">) => ({ id: a.id, label: a.userId });

/**
 * The organization something is created in (an account, an invitation): an
 * owner's choice, else the caller's own. An admin naming another one is
 * refused, not quietly given their own.
 */
export function targetOrganization(tx: Tx, s: AdminScope, requested: string | undefined): Organization {
  if (!s.isOwner && requested !== undefined && requested !== s.actor.organizationId) throw fieldError("organizationId", "field.invalid");
  const id = s.isOwner ? (requested ?? s.actor.organizationId) : s.actor.organizationId;
  const org = id ? tx.select().from(organizations).where(eq(organizations.id, id)).get() : undefined;
  if (!org) throw fieldError("organizationId", "field.invalid");
  return org;
}
