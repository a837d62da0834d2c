import { eq, sql } from "drizzle-orm";
import { preparedFor } from "../db/prepared.js";
import type { Deps } from "../deps.js";
import { organizationDomains, organizations, type Organization } from "../db/schema.js";
import { newId } from "../ids.js";
import type { Tx } from "../mail/outbox.js";

export const emailDomain = (email: string): string => email.slice(email.lastIndexOf("@") + 1).toLowerCase();

/** The organization that claims the email's domain, if any: registrations from it join that organization. */
export function organizationForEmail(tx: Tx, email: string): Organization | null {
  const row = tx
    .select({ org: organizations })
    .from(organizationDomains)
    .innerJoin(organizations, eq(organizations.id, organizationDomains.organizationId))
    .where(eq(organizationDomains.domain, emailDomain(email)))
    .get();
  return row?.org ?? null;
}

export function createOrganization(tx: Tx, deps: Pick<Deps, "clock">, name: string, domains: string[] = []): Organization {
  const now = deps.clock.now();
  const org: Organization = { id: newId(), name, adminLimit: 10, pendingLimit: 50, createdAt: now, updatedAt: now };
  tx.insert(organizations).values(org).run();
  for (const domain of domains) {
    // A domain already claimed elsewhere stays with its organization.
    tx.insert(organizationDomains).values({ domain: domain.toLowerCase(), organizationId: org.id, createdAt: now }).onConflictDoNothing().run();
  }
  return org;
}

export function organizationName(deps: Pick<Deps, "db">, id: string | null): string | null {
  if (!id) return null;
  const q = preparedFor(deps.db, "organizations.name", () => deps.db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, sql.placeholder("id"))).prepare());
  return q.get({ id })?.name ?? null;
}
