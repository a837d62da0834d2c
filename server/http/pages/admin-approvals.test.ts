import { describe, expect, it } from "vitest";
import { PASSWORD, type TestApp } from "../../test/harness.js";
import { setSetting } from "../../test/api.js";
import { hx } from "./test-helpers.js";
import { accountRow, orgWorld, visibleText } from "./admin-org-world.js";

/** Someone applies under the approval policy and confirms their address: they now wait in the queue. */
async function apply(t: TestApp, email: string, userId: string) {
  await t.request("/api/v1/auth/register", { json: { email, password: PASSWORD, userId } });
  const code = t.mailbox.codeIn(t.mailbox.lastMessage(email));
  await t.request("/api/v1/auth/verify-email", { json: { email, code } });
  return accountRow(t, userId)!;
}

async function queueWorld() {
  const w = await orgWorld();
  setSetting(w.t, "registration", "approval");
  const kai = await apply(w.t, "kai@acme.test", "kai");
  const lou = await apply(w.t, "lou@acme.test", "lou");
  return { ...w, kai, lou };
}

describe("/admin/approvals", () => {
  it("is for admins: members get 403", async () => {
    const { t, memberCookie, kai } = await queueWorld();
    expect((await t.request("/admin/approvals", { cookie: memberCookie })).status).toBe(403);
    expect((await t.request(`/admin/approvals/${kai.id}/approve`, { cookie: memberCookie, form: {} })).status).toBe(403);
    expect(accountRow(t, "kai")?.status).toBe("awaiting_approval");
  });

  it("lists who waits, oldest first, with the count as a badge in the admin navigation", async () => {
    const { t, adminCookie, kai } = await queueWorld();
    expect(kai.status).toBe("awaiting_approval");
    const html = await (await t.request("/admin/approvals", { cookie: adminCookie })).text();
    const text = visibleText(html);
    expect(text).toContain("Waiting for approval: 2");
    expect(text.indexOf("kai@acme.test")).toBeLessThan(text.indexOf("lou@acme.test"));
    expect(html).toMatch(/href="\/admin\/approvals"[^>]*>Approvals<span class="admin-nav-count"><span aria-hidden="true">2<\/span>/);
    expect(html).toContain(`action="/admin/approvals/${kai.id}/approve"`);
    expect(html).toContain(`<input id="reason-${kai.id}" name="reason"`);
    // The reason's label is in sight (not only a placeholder that goes as one types).
    expect(html).toMatch(new RegExp(`<label for="reason-${kai.id}" class="ao-decline-label">Reason for declining [^<]+</label>`));
  });

  it("approves: the account becomes active and is told by mail", async () => {
    const { t, adminCookie, kai } = await queueWorld();
    const r = await t.request(`/admin/approvals/${kai.id}/approve`, { cookie: adminCookie, form: {} });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/admin/approvals?done=approved");
    expect(accountRow(t, "kai")?.status).toBe("active");
    expect(t.mailbox.lastMessage("kai@acme.test")?.subject).toBe("Your account was approved");
    const after = visibleText(await (await t.request("/admin/approvals?done=approved", { cookie: adminCookie })).text());
    expect(after).toContain("The account is approved and active");
    expect(after).toContain("Waiting for approval: 1");
  });

  it("declines with a reason: the application is removed and the reason mailed (htmx swaps the queue and the nav's count)", async () => {
    const { t, adminCookie, kai, lou } = await queueWorld();
    const page = await (await t.request("/admin/approvals", { cookie: adminCookie })).text();
    expect(page).toMatch(/<span class="admin-nav-count"><span aria-hidden="true">2<\/span>/);
    const r = await t.request(`/admin/approvals/${kai.id}/decline`, { cookie: adminCookie, headers: hx, form: { reason: "Not an employee" } });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toMatch(/^<section id="approvals"/);
    expect(html).toContain("The application is declined and removed; the applicant was told by mail.");
    // The tab's badge follows, out of band: one left.
    expect(html).toMatch(/<nav id="admin-nav" class="admin-nav" aria-label="[^"]*" hx-swap-oob="true">/);
    expect(html).toMatch(/<span class="admin-nav-count"><span aria-hidden="true">1<\/span>/);
    expect(html).not.toContain(kai.id);
    expect(html).toContain(lou.id);
    expect(accountRow(t, "kai")).toBeUndefined();
    const mail = t.mailbox.lastMessage("kai@acme.test");
    expect(mail?.subject).toBe("Your application was declined");
    expect(mail?.text).toContain("Not an employee");
  });

  it("says so when the account no longer waits (decided by someone else)", async () => {
    const { t, adminCookie, ownerCookie, kai } = await queueWorld();
    await t.request(`/admin/approvals/${kai.id}/approve`, { cookie: ownerCookie, form: {} });
    const r = await t.request(`/admin/approvals/${kai.id}/decline`, { cookie: adminCookie, headers: hx, form: { reason: "late" } });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain("This account no longer waits for approval");
    expect(accountRow(t, "kai")?.status).toBe("active");
  });
});
