import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Deps, RequestMeta } from "../deps.js";
import type { Tx } from "../db/client.js";
import { accounts, organizationDomains, organizations, type Account, type Organization } from "../db/schema.js";
import { AppError } from "../errors.js";
import { organizationNameField, parseInput } from "../accounts/fields.js";
import { audit } from "../admin/audit.js";
import { adminScope, countAdmins, ownerScope, ref } from "../admin/access.js";
import { createOrganization } from "./organizations.js";

const domainField = z
  .string({ message: "field.invalid" })
  .trim()
  .toLowerCase()
  .regex(/^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "domain.invalid");

const limits = {
  adminLimit: z.number({ message: "limit.invalid" }).int("limit.invalid").min(1, "limit.invalid").max(100_000, "limit.invalid"),
  pendingLimit: z.number({ message: "limit.invalid" }).int("limit.invalid").min(1, "limit.invalid").max(100_000, "limit.invalid"),
};

export const createSchema = z.object({ name: organizationNameField, domains: z.array(domainField).max(100).default([]), ...limits }).partial({ adminLimit: true, pendingLimit: true });
export const patchSchema = z.object({ name: organizationNameField, domains: z.array(domainField).max(100), ...limits }).partial();

export function presentOrganization(tx: Tx, org: Organization) {
  const domains = tx.select({ d: organizationDomains.domain }).from(organizationDomains).where(eq(organizationDomains.organizationId, org.id)).orderBy(asc(organizationDomains.domain)).all().map((r) => r.d);
  const counts = tx
    .select({ members: sql<number>`count(*)`, admins: sql<number>`sum(case when ${accounts.type} in ('admin','owner') then 1 else 0 end)` })
    .from(accounts)
    .where(eq(accounts.organizationId, org.id))
    .get();
  return {
    id: org.id,
    name: org.name,
    claimedDomains: domains,
    adminLimit: org.adminLimit,
    pendingLimit: org.pendingLimit,
    members: counts?.members ?? 0,
    admins: counts?.admins ?? 0,
    createdAt: org.createdAt.toISOString(),
    updatedAt: org.updatedAt.toISOString(),
  };
}

/** The organizations the actor may see, by name: owners every one, an admin their own. */
export function visibleOrganizations(deps: Pick<Deps, "db">, actor: Account) {
  const scope = adminScope(actor);
  return deps.db.select().from(organizations).where(scope.organizationId ? eq(organizations.id, scope.organizationId) : undefined).orderBy(asc(organizations.name)).all();
}

/** The same, each with its domains and counts. */
export function listOrganizations(deps: Pick<Deps, "db">, actor: Account) {
  return visibleOrganizations(deps, actor).map((o) => presentOrganization(deps.db, o));
}

/** A domain is claimed by at most one organization: claiming a taken one is refused, naming the conflict. */
function claimDomains(tx: Tx, deps: Pick<Deps, "clock">, orgId: string, domains: string[]): void {
  const taken = domains.length ? tx.select().from(organizationDomains).where(inArray(organizationDomains.domain, domains)).all().filter((d) => d.organizationId !== orgId) : [];
  if (taken.length) throw new AppError("validation_failed", { domains: "domain.taken" }, undefined, `Already claimed by another organization: ${taken.map((d) => d.domain).join(", ")}`);
  tx.delete(organizationDomains).where(eq(organizationDomains.organizationId, orgId)).run();
  for (const domain of new Set(domains)) tx.insert(organizationDomains).values({ domain, organizationId: orgId, createdAt: deps.clock.now() }).run();
}

export function createOrganizationAsOwner(deps: Deps, actor: Account, input: unknown, meta: RequestMeta) {
  ownerScope(actor);
  const i = parseInput(createSchema, input);
  return deps.db.transaction(
    (tx) => {
      const org = createOrganization(tx, deps, i.name);
      if (i.adminLimit || i.pendingLimit) tx.update(organizations).set({ adminLimit: i.adminLimit ?? 10, pendingLimit: i.pendingLimit ?? 50 }).where(eq(organizations.id, org.id)).run();
      claimDomains(tx, deps, org.id, i.domains);
      audit(tx, deps, { action: "admin.organization_created", actor: ref(actor), organizationId: org.id, from: meta, detail: { name: i.name, domains: i.domains } });
      return presentOrganization(tx, tx.select().from(organizations).where(eq(organizations.id, org.id)).get() as Organization);
    },
    { behavior: "immediate" },
  );
}

/** Rename, claim and release domains (the list given replaces the old one), limits. Owners only. */
export function updateOrganization(deps: Deps, actor: Account, id: string, input: unknown, meta: RequestMeta) {
  ownerScope(actor);
  const i = parseInput(patchSchema, input);
  return deps.db.transaction(
    (tx) => {
      const org = tx.select().from(organizations).where(eq(organizations.id, id)).get();
      if (!org) throw new AppError("not_found");
      const set: Partial<Organization> = {};
      if (i.name !== undefined) set.name = i.name;
      if (i.adminLimit !== undefined) set.adminLimit = i.adminLimit;
      if (i.pendingLimit !== undefined) set.pendingLimit = i.pendingLimit;
      // SPEC §2: never more admins and owners together than the limit, so it cannot go below them.
      // Only a lowered one: an organization already over its limit (from before this rule) can still be renamed.
      if (i.adminLimit !== undefined && i.adminLimit < org.adminLimit && i.adminLimit < countAdmins(tx, org.id)) throw new AppError("validation_failed", { adminLimit: "limit.belowAdmins" });
      const now = deps.clock.now();
      if (Object.keys(set).length) tx.update(organizations).set({ ...set, updatedAt: now }).where(and(eq(organizations.id, id))).run();
      if (i.domains) claimDomains(tx, deps, id, i.domains);
      audit(tx, deps, { action: "admin.organization_updated", actor: ref(actor), organizationId: id, from: meta, detail: { ...set, ...(i.domains ? { domains: i.domains } : {}) } });
      return presentOrganization(tx, { ...org, ...set, updatedAt: now });
    },
    { behavior: "immediate" },
  );
}
