import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts } from "../db/schema.js";
import { pageLogin } from "../http/pages/test-helpers.js";
import { putSetting } from "./settings.js";
import { createTestApp, login, registerMember, setupOwner, PASSWORD, type TestApp } from "../test/harness.js";

/**
 * SPEC §2: an owner is an admin who also administers the server. An admin of
 * the owner's organization sees the owner, but only an owner may change it.
 */
async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const member = await registerMember(t, "mia@acme.test", { userId: "mia" });
  const made = await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } });
  expect(made.status).toBe(201);
  const admin = await login(t, "ada");
  return { t, owner, member, admin };
}

const row = (t: TestApp, id: string) => t.db.select().from(accounts).where(eq(accounts.id, id)).get();
const body = async (r: Response) => (await r.json()) as Record<string, unknown>;
const stillLoggedIn = async (t: TestApp, token: string) => (await t.request("/api/v1/me", { token })).status;

describe("only an owner changes an owner", () => {
  it("refuses every change an admin tries on the owner (403 forbidden) and leaves the owner as it was", async () => {
    const { t, owner, member, admin } = await world();
    const id = owner.user.id;
    const before = row(t, id);
    expect(before).toMatchObject({ type: "owner", status: "active", email: "owner@acme.test" });
    expect(await stillLoggedIn(t, owner.token)).toBe(200);

    for (const [method, path, json] of [
      ["PATCH", "", { email: "ada+owner@acme.test", nickname: "Pwned" }],
      ["POST", "/disable", undefined],
      ["POST", "/enable", undefined],
      ["POST", "/promote", undefined],
      ["POST", "/demote", undefined],
      ["POST", "/verify-email", undefined],
      ["POST", "/approve", undefined],
      ["POST", "/decline", { reason: "no" }],
      ["DELETE", "/sessions", undefined],
      ["DELETE", "", undefined],
      // A temporary password on the owner would be the quickest way to take over the server.
      ["POST", "/password", { password: "Taken-Over-Pass-99" }],
      ["POST", "/setup-link", undefined],
    ] as const) {
      const r = await t.request(`/api/v1/admin/users/${id}${path}`, { method, token: admin.token, json });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect((await body(r)).code, `${method} ${path}`).toBe("forbidden");
    }

    const after = row(t, id);
    expect(after).toMatchObject({ type: "owner", status: "active", email: "owner@acme.test", emailLower: "owner@acme.test", nickname: before?.nickname, emailVerifiedAt: before?.emailVerifiedAt });
    // Its sessions were not ended.
    expect(await stillLoggedIn(t, owner.token)).toBe(200);
    // A reset to the address the admin tried to give it finds no account: nothing to take over.
    await t.request("/api/v1/auth/password-reset", { json: { email: "ada+owner@acme.test" } });
    expect(t.mailbox.lastMessage("ada+owner@acme.test")).toBeUndefined();

    // Reading the owner stays allowed, and so does every change to members.
    const seen = await t.request(`/api/v1/admin/users/${id}`, { token: admin.token });
    expect(seen.status).toBe(200);
    expect(await body(seen)).toMatchObject({ userId: "owner", type: "owner" });
    expect((await t.request(`/api/v1/admin/users/${member.user.id}`, { method: "PATCH", token: admin.token, json: { nickname: "Mia" } })).status).toBe(200);
    expect((await t.request(`/api/v1/admin/users/${member.user.id}/promote`, { method: "POST", token: admin.token })).status).toBe(200);
    expect((await t.request(`/api/v1/admin/users/${member.user.id}/disable`, { method: "POST", token: admin.token })).status).toBe(200);
    expect(row(t, member.user.id)).toMatchObject({ nickname: "Mia", type: "admin", status: "disabled" });

    // Once an owner has made ada an owner too, she may change the other owner.
    expect((await t.request(`/api/v1/admin/users/${admin.user.id}/promote`, { method: "POST", token: owner.token })).status).toBe(200);
    expect((await t.request(`/api/v1/admin/users/${id}`, { method: "PATCH", token: admin.token, json: { nickname: "Boss" } })).status).toBe(200);
    expect(row(t, id)?.nickname).toBe("Boss");
  });

  it("batch delete: the owner gets a per-id forbidden, the others are deleted as before", async () => {
    const { t, owner, member, admin } = await world();
    putSetting(t.db, "deletionLocked", false);
    const r = await t.request("/api/v1/admin/users/batch-delete", { token: admin.token, json: { ids: [owner.user.id, member.user.id] } });
    expect(r.status).toBe(200);
    expect(((await body(r)) as { results: unknown[] }).results).toEqual([
      { id: owner.user.id, status: "error", code: "forbidden" },
      { id: member.user.id, status: "deleted" },
    ]);
    expect(row(t, owner.user.id)).toMatchObject({ type: "owner", status: "active" });
    expect(row(t, member.user.id)).toBeUndefined();
  });

  it("the owner's API keys are the owner's: an admin cannot revoke them", async () => {
    const { t, owner, admin } = await world();
    const key = await body(await t.request("/api/v1/admin/api-keys", { token: owner.token, json: { name: "chat" } }));
    const r = await t.request(`/api/v1/admin/api-keys/${String(key.id)}`, { method: "DELETE", token: admin.token });
    expect(r.status).toBe(403);
    expect((await body(r)).code).toBe("forbidden");
    const listed = (await body(await t.request("/api/v1/admin/api-keys", { token: admin.token }))) as { items: { id: string }[] };
    expect(listed.items.map((k) => k.id)).toContain(key.id);
  });

  it("the pages refuse it too: a disable, an edit or a delete posted by the admin is 403 and changes nothing", async () => {
    const { t, owner } = await world();
    putSetting(t.db, "deletionLocked", false);
    const cookie = await pageLogin(t, "ada");
    const id = owner.user.id;

    const disabled = await t.request(`/admin/users/${id}/disable`, { cookie, form: {} });
    expect(disabled.status).toBe(403);
    expect(await disabled.text()).toContain("You may not do this.");
    const edited = await t.request(`/admin/users/${id}`, { cookie, form: { nickname: "Pwned", email: "ada+owner@acme.test" } });
    expect(edited.status).toBe(403);
    const deleted = await t.request(`/admin/users/${id}/delete`, { cookie, form: {} });
    expect(deleted.status).toBe(403);

    expect(row(t, id)).toMatchObject({ type: "owner", status: "active", email: "owner@acme.test", nickname: "" });
    expect(await stillLoggedIn(t, owner.token)).toBe(200);
  });
});
