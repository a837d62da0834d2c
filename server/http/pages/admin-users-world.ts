import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema.js";
import { createOrganization } from "../../organizations/organizations.js";
import { createTestApp, login, ORIGIN, PASSWORD, registerMember, setupOwner, type TestApp } from "../../test/harness.js";
import { pageLogin } from "./test-helpers.js";

/** Test fixtures of the admin users pages. Imported by tests only. */

/**
 * Acme (owner, admin "ada", member "mia") and Globex (admin "gabe", member
 * "gina"), each logged in where a test needs it.
 */
export async function adminWorld() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const globex = t.db.transaction((tx) => createOrganization(tx, t.deps, "Globex", ["globex.test"]));
  const mia = await registerMember(t, "mia@acme.test", { userId: "mia" });
  const create = async (body: Record<string, unknown>) => {
    const r = await t.request("/api/v1/admin/users", { token: owner.token, json: body });
    if (r.status !== 201) throw new Error(`create failed: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { user: { id: string } }).user.id;
  };
  await create({ type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD });
  await create({ type: "admin", userId: "gabe", email: "gabe@globex.test", password: PASSWORD, organizationId: globex.id });
  const ginaId = await create({ userId: "gina", email: "gina@globex.test", password: PASSWORD, organizationId: globex.id });
  const adminCookie = await pageLogin(t, "ada");
  const ownerCookie = await pageLogin(t, "owner");
  const memberCookie = await pageLogin(t, "mia");
  return { t, owner, globex, mia, ginaId, create, adminCookie, ownerCookie, memberCookie };
}

export const idOf = (t: TestApp, userId: string): string => {
  const a = t.db.select().from(accounts).where(eq(accounts.userId, userId)).get();
  if (!a) throw new Error(`no account ${userId}`);
  return a.id;
};

export const accountOf = (t: TestApp, userId: string) => t.db.select().from(accounts).where(eq(accounts.userId, userId)).get();

/** A form post with repeated fields (`ids=a&ids=b`), as a browser sends checked boxes. */
export function postPairs(t: TestApp, path: string, pairs: [string, string][], o: { cookie: string; headers?: Record<string, string> }) {
  return t.request(path, {
    body: new URLSearchParams(pairs).toString(),
    cookie: o.cookie,
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, ...o.headers },
  });
}

export { login, PASSWORD };
