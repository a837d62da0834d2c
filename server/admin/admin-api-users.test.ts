import { describe, expect, it } from "vitest";
import { putSetting } from "./settings.js";
import { createTestApp, registerMember, setupOwner, PASSWORD } from "../test/harness.js";
import { ids, world } from "./admin-api-world.js";

describe("admin users API", () => {
  it("refuses members (403) and hides other organizations' accounts from admins (404)", async () => {
    const { t, member, admin, globexMemberId } = await world();
    expect((await t.request("/api/v1/admin/users", { token: member.token })).status).toBe(403);
    expect((await t.request("/api/v1/admin/users")).status).toBe(401);
    for (const [method, path] of [
      ["GET", ""], ["PATCH", ""], ["DELETE", ""], ["POST", "/disable"], ["POST", "/enable"], ["POST", "/promote"],
      ["POST", "/demote"], ["DELETE", "/sessions"], ["POST", "/verify-email"],
    ] as const) {
      const r = await t.request(`/api/v1/admin/users/${globexMemberId}${path}`, { method, token: admin.token, json: method === "PATCH" ? { nickname: "x" } : undefined });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    const list = await ids(t, admin.token, "limit=200");
    expect(list.items.map((u) => u.userId).sort()).toEqual(["ada", "mia", "owner"]);
  });

  it("creates accounts with the three outcomes of SPEC §3", async () => {
    const { t, admin, j, create } = await world();
    const mailed = await create(admin.token, { userId: "sam", email: "sam@acme.test", nickname: "Sam" });
    expect(mailed.status).toBe(201);
    const m = (await j(mailed)) as { outcome: string; user: { status: string } };
    expect(m).toMatchObject({ outcome: "setup_mail", user: { status: "invited" } });
    expect(t.mailbox.lastMessage("sam@acme.test")?.text).toContain("/setup?token=");

    const withPassword = (await j(await create(admin.token, { userId: "pat", password: PASSWORD }))) as { outcome: string; user: { status: string; mustChangePassword: boolean } };
    expect(withPassword).toMatchObject({ outcome: "password", user: { status: "active", mustChangePassword: true } });

    const link = (await j(await create(admin.token, { userId: "lee" }))) as { outcome: string; setupUrl: string };
    expect(link.outcome).toBe("setup_link");
    expect(link.setupUrl).toMatch(/^http:\/\/localhost:8080\/setup\?token=[a-z2-7]+$/);

    expect((await create(admin.token, { userId: "sam" })).status).toBe(409);
    const taken = await create(admin.token, { userId: "sam2", email: "SAM@acme.test" });
    expect(taken.status).toBe(409);
    expect(((await j(taken)) as { code: string }).code).toBe("email_taken");

    // Every field to correct at once: a taken user ID with a taken address, and both with a weak password.
    const both = (await j(await create(admin.token, { userId: "sam", email: "sam@acme.test" }))) as { code: string; errors: Record<string, string> };
    expect(both.code).toBe("user_id_taken");
    expect(Object.keys(both.errors).sort()).toEqual(["email", "userId"]);
    const all = await create(admin.token, { userId: "sam", email: "sam@acme.test", password: "password" });
    expect(all.status).toBe(400);
    const body = (await j(all)) as { code: string; errors: Record<string, string> };
    expect(body.code).toBe("weak_password");
    expect(Object.keys(body.errors).sort()).toEqual(["email", "password", "userId"]);
  });

  it("enforces the admin limit and protects the last admin", async () => {
    const { t, owner, admin, other, j, create } = await world();
    t.db.$client.prepare("UPDATE organizations SET admin_limit = 2 WHERE id != ?").run(other.id);
    const r = await create(admin.token, { type: "admin", userId: "third" });
    expect(((await j(r)) as { code: string }).code).toBe("admin_limit_reached");
    // Globex has one admin (gabe): demoting or disabling him is refused.
    const gabe = (await ids(t, owner.token, "q=gabe")).items[0] as unknown as { id: string };
    for (const action of ["demote", "disable"]) {
      const res = await t.request(`/api/v1/admin/users/${gabe.id}/${action}`, { method: "POST", token: owner.token });
      expect(((await j(res)) as { code: string }).code).toBe("last_admin");
    }
  });

  it("disabling ends every session at once; enabling lets the person log in again", async () => {
    const { t, admin, member, j } = await world();
    const id = member.user.id;
    const r = await t.request(`/api/v1/admin/users/${id}/disable`, { method: "POST", token: admin.token });
    expect(((await j(r)) as { status: string }).status).toBe("disabled");
    expect((await t.request("/api/v1/me", { token: member.token })).status).toBe(401);
    const denied = await t.request("/api/v1/auth/login", { json: { login: "mia@acme.test", password: PASSWORD } });
    expect(((await j(denied)) as { code: string }).code).toBe("account_disabled");
    await t.request(`/api/v1/admin/users/${id}/enable`, { method: "POST", token: admin.token });
    expect((await t.request("/api/v1/auth/login", { json: { login: "mia@acme.test", password: PASSWORD } })).status).toBe(200);
  });

  it("refuses deletion while locked, deletes once an owner unlocks it, and batch-deletes per id", async () => {
    const { t, owner, admin, member, globexMemberId, j, create } = await world();
    const locked = await t.request(`/api/v1/admin/users/${member.user.id}`, { method: "DELETE", token: admin.token });
    expect(((await j(locked)) as { code: string }).code).toBe("deletion_locked");
    expect((await t.request("/api/v1/admin/settings", { method: "PATCH", token: admin.token, json: { deletionLocked: false, confirmDeletionUnlock: true } })).status).toBe(403);
    const unconfirmed = await t.request("/api/v1/admin/settings", { method: "PATCH", token: owner.token, json: { deletionLocked: false } });
    expect(unconfirmed.status).toBe(400);
    const ok = await t.request("/api/v1/admin/settings", { method: "PATCH", token: owner.token, json: { deletionLocked: false, confirmDeletionUnlock: true } });
    expect(((await j(ok)) as { deletionLocked: boolean }).deletionLocked).toBe(false);

    expect((await t.request(`/api/v1/admin/users/${member.user.id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    expect((await t.request(`/api/v1/admin/users/${member.user.id}`, { token: admin.token })).status).toBe(404);
    expect((await t.request("/api/v1/me", { token: member.token })).status).toBe(401);

    const x = (await j(await create(admin.token, { userId: "xavier" }))) as { user: { id: string } };
    const batch = await t.request("/api/v1/admin/users/batch-delete", { token: admin.token, json: { ids: [x.user.id, globexMemberId, "nope"] } });
    const results = ((await j(batch)) as { results: { id: string; status: string; code?: string }[] }).results;
    expect(results).toEqual([
      { id: x.user.id, status: "deleted" },
      { id: globexMemberId, status: "error", code: "not_found" },
      { id: "nope", status: "error", code: "not_found" },
    ]);
    putSetting(t.db, "deletionLocked", true);
    const lockedBatch = await t.request("/api/v1/admin/users/batch-delete", { token: admin.token, json: { ids: [globexMemberId] } });
    expect(lockedBatch.status).toBe(403);
  });
});

describe("disable and enable", () => {
  it("regression: enabling returns an account to where it was, never skipping confirmation or approval", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    putSetting(t.db, "registration", "approval");
    await registerMember(t, "ann@acme.test").catch(() => undefined); // awaiting approval: the login in the helper is refused
    const ann = ((await (await t.request("/api/v1/admin/users?q=ann", { token: owner.token })).json()) as { items: { id: string; status: string }[] }).items[0]!;
    expect(ann.status).toBe("awaiting_approval");
    await t.request(`/api/v1/admin/users/${ann.id}/disable`, { method: "POST", token: owner.token });
    const enabled = (await (await t.request(`/api/v1/admin/users/${ann.id}/enable`, { method: "POST", token: owner.token })).json()) as { status: string };
    expect(enabled.status).toBe("awaiting_approval");
    expect((await t.request("/api/v1/auth/login", { json: { login: "ann@acme.test", password: PASSWORD } })).status).toBe(403);
  });
});

describe("mark email verified", () => {
  it("regression: under the approval policy it puts the applicant in the queue and mails the approvers, as a confirmation link does", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    putSetting(t.db, "registration", "approval");
    await t.request("/api/v1/auth/register", { json: { email: "ann@acme.test", password: PASSWORD } });
    const ann = ((await (await t.request("/api/v1/admin/users?q=ann", { token: owner.token })).json()) as { items: { id: string; status: string }[] }).items[0]!;
    expect(ann.status).toBe("pending");
    const r = (await (await t.request(`/api/v1/admin/users/${ann.id}/verify-email`, { method: "POST", token: owner.token })).json()) as { status: string; emailVerifiedAt: string | null };
    expect(r).toMatchObject({ status: "awaiting_approval", emailVerifiedAt: expect.any(String) });
    expect(t.mailbox.lastMessage("owner@acme.test")?.kind).toBe("application_received");
  });
});

describe("organization limits", () => {
  it("regression: an admin limit below the admins the organization has now is refused, naming the field", async () => {
    const { t, owner } = await world();
    const acme = ((await (await t.request("/api/v1/admin/organizations", { token: owner.token })).json()) as { items: { id: string; name: string; admins: number }[] }).items.find((o) => o.name === "Acme")!;
    expect(acme.admins).toBe(2); // the owner and ada
    const low = await t.request(`/api/v1/admin/organizations/${acme.id}`, { method: "PATCH", token: owner.token, json: { adminLimit: 1 } });
    expect(low.status).toBe(400);
    expect(await low.json()).toMatchObject({ code: "validation_failed", errors: { adminLimit: expect.stringMatching(/demote/) } });
    const even = await t.request(`/api/v1/admin/organizations/${acme.id}`, { method: "PATCH", token: owner.token, json: { adminLimit: 2 } });
    expect(await even.json()).toMatchObject({ adminLimit: 2, admins: 2 });
    // An organization already over its limit (set before the rule) is still renamed with its limit as it is,
    // as the edit form sends it.
    t.db.$client.prepare("UPDATE organizations SET admin_limit = 1 WHERE id = ?").run(acme.id);
    const renamed = await t.request(`/api/v1/admin/organizations/${acme.id}`, { method: "PATCH", token: owner.token, json: { name: "Acme Corp", adminLimit: 1 } });
    expect(await renamed.json()).toMatchObject({ name: "Acme Corp", adminLimit: 1 });
  });
});
