import { expect } from "vitest";
import { createOrganization } from "../organizations/organizations.js";
import { createTestApp, login, registerMember, setupOwner, PASSWORD, type TestApp } from "../test/harness.js";

/** Test fixtures of the admin API's tests. Imported by tests only. */

/** Acme (owner, admin "ada", member "mia") and Globex (admin "gabe", member "gina"), with helpers to read and create. */
export async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const other = t.db.transaction((tx) => createOrganization(tx, t.deps, "Globex", ["globex.test"]));
  const member = await registerMember(t, "mia@acme.test");
  const j = (r: Response) => r.json() as Promise<Record<string, unknown>>;
  const create = async (token: string, body: Record<string, unknown>) => t.request("/api/v1/admin/users", { token, json: body });
  // An admin of Acme, active with a password.
  const adminRes = await create(owner.token, { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD });
  expect(adminRes.status).toBe(201);
  const admin = await login(t, "ada");
  // A Globex admin and member, created by the owner.
  await create(owner.token, { type: "admin", userId: "gabe", email: "gabe@globex.test", password: PASSWORD, organizationId: other.id });
  const gm = (await j(await create(owner.token, { userId: "gina", email: "gina@globex.test", password: PASSWORD, organizationId: other.id }))) as { user: { id: string } };
  return { t, owner, member, admin, other, globexMemberId: gm.user.id, j, create };
}

/** One page of GET /api/v1/admin/users?{query} as `token` sees it. */
export const ids = async (t: TestApp, token: string, query: string) =>
  ((await (await t.request(`/api/v1/admin/users?${query}`, { token })).json()) as { items: { userId: string }[]; total: number; nextCursor: string | null });
