import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema.js";
import { createTestApp, PASSWORD, registerMember, setupOwner, type TestApp } from "../../test/harness.js";
import { pageLogin } from "./test-helpers.js";

/** Test world of the admin org pages: an owner, an admin and a member of Acme, each logged in with a cookie. Tests only. */
export async function orgWorld(t: TestApp = createTestApp()) {
  const owner = await setupOwner(t);
  const ownerCookie = await pageLogin(t, "owner");
  const made = await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } });
  if (made.status !== 201) throw new Error(`admin creation failed: ${made.status} ${await made.text()}`);
  const adminCookie = await pageLogin(t, "ada");
  await registerMember(t, "mia@acme.test", { userId: "mia" });
  const memberCookie = await pageLogin(t, "mia");
  return { t, owner, ownerCookie, adminCookie, memberCookie };
}

export const accountRow = (t: TestApp, userId: string) => t.db.select().from(accounts).where(eq(accounts.userId, userId)).get();

/** The text of a page without its tags, whitespace folded: what a reader sees. */
export const visibleText = (html: string): string => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ");
