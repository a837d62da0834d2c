import { describe, expect, it } from "vitest";
import { putSetting } from "../../admin/settings.js";
import { accountOf, adminWorld, idOf, login, PASSWORD } from "./admin-users-world.js";
import { hx, pageLogin } from "./test-helpers.js";

describe("actions", () => {
  it("disable ends the account's sessions at once; the badge says Disabled; enable brings it back", async () => {
    const { t, adminCookie, mia } = await adminWorld();
    const id = mia.user.id;
    const miaPage = await pageLogin(t, "mia");
    const r = await t.request(`/admin/users/${id}/disable`, { form: {}, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("The account is disabled, and all its sessions were ended.");
    expect(html).toContain('<span class="status-badge status-disabled">Disabled</span>');
    expect(html).toContain(">Enable<");
    expect((await t.request("/api/v1/me", { token: mia.token })).status).toBe(401);
    expect((await t.request("/account", { cookie: miaPage })).status).toBe(303);
    const plain = await t.request(`/admin/users/${id}/enable`, { form: {}, cookie: adminCookie });
    expect(plain.headers.get("location")).toBe(`/admin/users/${id}?done=enable`);
    expect(accountOf(t, "mia")?.status).toBe("active");
  });

  it("end all sessions logs the account out everywhere", async () => {
    const { t, adminCookie, mia } = await adminWorld();
    const r = await t.request(`/admin/users/${mia.user.id}/end-sessions`, { form: {}, cookie: adminCookie, headers: hx });
    expect(await r.text()).toContain("All sessions of the account were ended.");
    expect((await t.request("/api/v1/me", { token: mia.token })).status).toBe(401);
  });

  it("promote and demote; the organization's last admin stays, and says why", async () => {
    const { t, ownerCookie } = await adminWorld();
    const gabe = idOf(t, "gabe");
    const refused = await t.request(`/admin/users/${gabe}/demote`, { form: {}, cookie: ownerCookie, headers: hx });
    expect(refused.status).toBe(409);
    const html = await refused.text();
    expect(html).toMatch(/^<div id="user-admin"/);
    expect(html).toContain("The organization&#39;s last active administrator cannot be removed.");
    expect(accountOf(t, "gabe")?.type).toBe("admin");
    await t.request(`/admin/users/${idOf(t, "gina")}/promote`, { form: {}, cookie: ownerCookie, headers: hx });
    expect(accountOf(t, "gina")?.type).toBe("admin");
    const ok = await (await t.request(`/admin/users/${gabe}/demote`, { form: {}, cookie: ownerCookie, headers: hx })).text();
    expect(ok).toContain("The account was demoted.");
    expect(accountOf(t, "gabe")?.type).toBe("general");
  });

  it("admin_limit_reached when promoting past the limit", async () => {
    const { t, adminCookie } = await adminWorld();
    t.db.$client.prepare("UPDATE organizations SET admin_limit = 2 WHERE name = 'Acme'").run();
    const r = await t.request(`/admin/users/${idOf(t, "mia")}/promote`, { form: {}, cookie: adminCookie });
    expect(r.status).toBe(409);
    expect(await r.text()).toContain("The organization has reached its administrator limit.");
  });

  it("marks an unconfirmed email as confirmed", async () => {
    const { t, adminCookie, create } = await adminWorld();
    const id = await create({ userId: "sam", email: "sam@acme.test", password: PASSWORD });
    expect(await (await t.request(`/admin/users/${id}`, { cookie: adminCookie })).text()).toContain(">Mark email as confirmed<");
    await t.request(`/admin/users/${id}/verify-email`, { form: {}, cookie: adminCookie, headers: hx });
    expect(accountOf(t, "sam")?.emailVerifiedAt).not.toBeNull();
  });

  it("approves an application, or declines it with a reason that is mailed", async () => {
    const { t, adminCookie } = await adminWorld();
    putSetting(t.db, "registration", "approval");
    for (const email of ["ann@acme.test", "ben@acme.test"]) {
      await t.request("/api/v1/auth/register", { json: { email, password: PASSWORD } });
      await t.request("/api/v1/auth/verify-email", { json: { email, code: t.mailbox.codeIn(t.mailbox.lastMessage(email)) } });
    }
    const queue = await (await t.request("/admin/users?status=awaiting_approval", { cookie: adminCookie })).text();
    expect(queue).toContain("ann");
    const ann = idOf(t, "ann");
    const page = await (await t.request(`/admin/users/${ann}`, { cookie: adminCookie })).text();
    expect(page).toContain(">Approve<");
    expect(page).toContain('name="reason"');
    await t.request(`/admin/users/${ann}/approve`, { form: {}, cookie: adminCookie, headers: hx });
    expect(accountOf(t, "ann")?.status).toBe("active");
    await login(t, "ann");

    const r = await t.request(`/admin/users/${idOf(t, "ben")}/decline`, { form: { reason: "Not an employee" }, cookie: adminCookie, headers: hx });
    expect(r.headers.get("hx-redirect")).toBe("/admin/users?status=awaiting_approval&done=declined");
    expect(accountOf(t, "ben")).toBeUndefined();
    expect(t.mailbox.lastMessage("ben@acme.test")?.text).toContain("Not an employee");
  });
});

describe("delete", () => {
  it("while locked: the confirmation page explains, and a post deletes nothing", async () => {
    const { t, adminCookie, ownerCookie } = await adminWorld();
    const id = idOf(t, "mia");
    const page = await t.request(`/admin/users/${id}/delete`, { cookie: adminCookie });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain("Deletion is locked on this server.");
    expect(html).not.toContain(`action="/admin/users/${id}/delete"`);
    // An owner is pointed at the setting.
    expect(await (await t.request(`/admin/users/${id}/delete`, { cookie: ownerCookie })).text()).toContain('<a href="/admin/settings">Open the settings</a>');
    const post = await t.request(`/admin/users/${id}/delete`, { form: {}, cookie: adminCookie });
    expect(post.status).toBe(403);
    expect(accountOf(t, "mia")).toBeDefined();
  });

  it("once unlocked: confirm, delete, back to the table", async () => {
    const { t, adminCookie, mia } = await adminWorld();
    putSetting(t.db, "deletionLocked", false);
    const id = mia.user.id;
    const confirm = await (await t.request(`/admin/users/${id}/delete`, { cookie: adminCookie })).text();
    expect(confirm).toContain("Delete mia?");
    // Who it is, beyond the user ID: the address, the organization and when they last logged in.
    expect(confirm).toContain("<dd>mia@acme.test</dd>");
    expect(confirm).toContain("<dd>Acme</dd>");
    expect(confirm).toMatch(/<dt>Last log in<\/dt>\s*<dd><time/);
    expect(confirm).toContain(`<form method="post" action="/admin/users/${id}/delete"`);
    const r = await t.request(`/admin/users/${id}/delete`, { form: {}, cookie: adminCookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/admin/users?done=deleted");
    expect(accountOf(t, "mia")).toBeUndefined();
    expect((await t.request("/api/v1/me", { token: mia.token })).status).toBe(401);
    expect(await (await t.request("/admin/users?done=deleted", { cookie: adminCookie })).text()).toContain("The account was deleted.");
  });

  it("never one's own account", async () => {
    const { t, adminCookie } = await adminWorld();
    putSetting(t.db, "deletionLocked", false);
    const r = await t.request(`/admin/users/${idOf(t, "ada")}/delete`, { form: {}, cookie: adminCookie });
    expect(r.status).toBe(403);
    expect(accountOf(t, "ada")).toBeDefined();
  });
});
