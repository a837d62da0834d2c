import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { invitations } from "../../db/schema.js";
import { PASSWORD } from "../../test/harness.js";
import { hx, HOSTILE } from "./test-helpers.js";
import { orgWorld, visibleText } from "./admin-org-world.js";

const row = (t: Awaited<ReturnType<typeof orgWorld>>["t"], email: string) => t.db.select().from(invitations).where(eq(invitations.emailLower, email)).get();

describe("/admin/invitations", () => {
  it("is for admins: members get 403", async () => {
    const { t, adminCookie, memberCookie } = await orgWorld();
    expect((await t.request("/admin/invitations", { cookie: memberCookie })).status).toBe(403);
    expect((await t.request("/admin/invitations", { cookie: memberCookie, form: { email: "x@y.test" } })).status).toBe(403);
    const html = await (await t.request("/admin/invitations", { cookie: adminCookie })).text();
    expect(html).toContain('<textarea id="f-email" name="email"');
    // An admin of one organization is never asked which one.
    expect(html).not.toContain('name="organizationId"');
  });

  it("regression: offers the account types by the names the rest of the UI uses (Member / Administrator, not General / Admin)", async () => {
    const { t, adminCookie, ownerCookie } = await orgWorld();
    const html = await (await t.request("/admin/invitations", { cookie: adminCookie })).text();
    const types = visibleText(html.match(/<fieldset[\s\S]*?<\/fieldset>/)?.[0] ?? "");
    expect(types).toContain("Account type Member A member of the organization. Administrator Administers the organization");
    expect(types).not.toMatch(/\b(General|Admin)\b/);
    // The organizations page points to the same choice by its name.
    const orgs = visibleText(await (await t.request("/admin/organizations", { cookie: ownerCookie })).text());
    expect(orgs).toContain("send it a registration request of type Administrator.");
  });

  it("sends to a pasted list and says what happened to each address", async () => {
    const { t, owner, adminCookie } = await orgWorld();
    // A member of another organization, and a request already pending.
    const globex = (await (await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Globex", domains: ["globex.test"] } })).json()) as { id: string };
    await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "gil", email: "gil@globex.test", password: PASSWORD, organizationId: globex.id } });
    await t.request("/api/v1/admin/invitations", { token: owner.token, json: { email: "dup@x.test" } });

    const pasted = "new1@x.test, new2@x.test;\nmia@acme.test\ngil@globex.test  dup@x.test\nnot-an-address";
    const r = await t.request("/admin/invitations", { cookie: adminCookie, form: { email: pasted, message: "Welcome <b>aboard</b>", type: "general" } });
    expect(r.status).toBe(200);
    const html = await r.text();
    const text = visibleText(html);
    expect(text).toContain("Sent: 2 · not sent: 4");
    expect(text).toContain("new1@x.test Sent");
    expect(text).toContain("new2@x.test Sent");
    expect(text).toContain("mia@acme.test Already a member");
    expect(text).toContain("gil@globex.test Managed by another organization");
    expect(text).toContain("dup@x.test A request is already pending");
    expect(text).toContain("not-an-address Not a valid email address");
    expect(t.mailbox.lastMessage("new1@x.test")?.text).toContain("Welcome <b>aboard</b>");
    // The address to correct stays in the box; the others are done with.
    expect(html).toMatch(/<textarea[^>]*name="email"[^>]*>not-an-address<\/textarea>/);

    await t.request("/admin/invitations", { cookie: adminCookie, form: { email: "x1@x.test" } });
    t.db.$client.prepare("UPDATE organizations SET pending_limit = 4 WHERE name = 'Acme'").run();
    const full = visibleText(await (await t.request("/admin/invitations", { cookie: adminCookie, form: { email: "late@x.test" } })).text());
    expect(full).toContain("late@x.test Pending limit reached");
  });

  it("answers htmx with the send card and the refreshed list out of band", async () => {
    const { t, adminCookie } = await orgWorld();
    const r = await t.request("/admin/invitations", { cookie: adminCookie, headers: hx, form: { email: "a@x.test\nb@x.test", type: "admin" } });
    const html = await r.text();
    expect(html).toMatch(/^<section id="invite-send"/);
    expect(html).toContain('<section id="invite-list" class="card" aria-labelledby="invite-list-title" hx-swap-oob="true">');
    expect(visibleText(html)).toContain("a@x.test Administrator Pending");
    expect(row(t, "b@x.test")?.type).toBe("admin");
    // The type stays chosen for the next batch; the addresses are cleared.
    expect(html).toMatch(/id="invite-type-admin" name="type" value="admin" checked=""/);
    expect(html).toContain('name="email" rows="4" required=""');
    expect(html).not.toContain("a@x.test\nb@x.test</textarea>");
  });

  it("asks for an address when none is given", async () => {
    const { t, adminCookie } = await orgWorld();
    const r = await t.request("/admin/invitations", { cookie: adminCookie, form: { email: " \n " } });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('id="f-email-error"');
  });

  it("resends with a new link and revokes, per row; the state filter lists each state", async () => {
    const { t, adminCookie } = await orgWorld();
    await t.request("/admin/invitations", { cookie: adminCookie, form: { email: "late@x.test" } });
    const first = t.mailbox.linkIn(t.mailbox.lastMessage("late@x.test"));
    const id = row(t, "late@x.test")!.id;
    const list = await (await t.request("/admin/invitations?status=pending", { cookie: adminCookie })).text();
    expect(list).toContain(`action="/admin/invitations/${id}/resend"`);
    expect(list).toContain(`action="/admin/invitations/${id}/revoke"`);

    const resent = await t.request(`/admin/invitations/${id}/resend`, { cookie: adminCookie, form: { status: "pending" } });
    expect(resent.status).toBe(303);
    expect(resent.headers.get("location")).toBe("/admin/invitations?status=pending&done=resent#invite-list");
    expect(t.mailbox.linkIn(t.mailbox.lastMessage("late@x.test"))).not.toBe(first);

    const revoked = await t.request(`/admin/invitations/${id}/revoke`, { cookie: adminCookie, headers: hx, form: { status: "" } });
    expect(revoked.status).toBe(200);
    const html = await revoked.text();
    expect(html).toMatch(/^<section id="invite-list"/);
    expect(html).toContain("The request is revoked; its link no longer works.");
    expect(row(t, "late@x.test")?.status).toBe("revoked");
    // A revoked request has neither button any more.
    expect(html).not.toContain(`/admin/invitations/${id}/revoke`);

    expect(visibleText(await (await t.request("/admin/invitations?status=revoked", { cookie: adminCookie })).text())).toContain("late@x.test Member Revoked");
    expect(visibleText(await (await t.request("/admin/invitations?status=pending", { cookie: adminCookie })).text())).toContain("No registration requests here.");
    const again = await t.request(`/admin/invitations/${id}/resend`, { cookie: adminCookie, headers: hx, form: {} });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("This request was already accepted or revoked, so it cannot be sent again.");
  });

  it("asks the mail's language, defaulting to the page's, and writes the mail in it", async () => {
    const { t, adminCookie } = await orgWorld();
    const english = await (await t.request("/admin/invitations", { cookie: adminCookie })).text();
    expect(english).toMatch(/<label for="f-language">Language of the mail<\/label>/);
    expect(english).toMatch(/<option value="en" selected="">English<\/option>/);
    const japanese = await (await t.request("/admin/invitations", { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(japanese).toMatch(/<label for="f-language">メールの言語<\/label>/);
    expect(japanese).toMatch(/<option value="ja" selected="">日本語<\/option>/);

    const r = await t.request("/admin/invitations", { cookie: adminCookie, form: { email: "hanako@x.test", type: "general", language: "ja" } });
    expect(r.status).toBe(200);
    expect(t.mailbox.lastMessage("hanako@x.test")?.subject).toBe("「Acme」への参加のご案内");
    expect(row(t, "hanako@x.test")?.language).toBe("ja");
    // The choice stays for the next batch.
    expect(await r.text()).toMatch(/<option value="ja" selected="">日本語<\/option>/);
  });

  it("lets an owner of several organizations choose one, and shows it in the list", async () => {
    const { t, owner, ownerCookie } = await orgWorld();
    const single = await (await t.request("/admin/invitations", { cookie: ownerCookie })).text();
    expect(single).not.toContain('name="organizationId"');
    const globex = (await (await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Globex" } })).json()) as { id: string };
    const several = await (await t.request("/admin/invitations", { cookie: ownerCookie })).text();
    expect(several).toContain('<select id="f-organizationId" name="organizationId"');
    await t.request("/admin/invitations", { cookie: ownerCookie, form: { email: "g@x.test", organizationId: globex.id } });
    expect(row(t, "g@x.test")?.organizationId).toBe(globex.id);
    expect(visibleText(await (await t.request("/admin/invitations", { cookie: ownerCookie })).text())).toContain("g@x.test Member Pending Globex");
  });

  it("an old or made-up page link gives the list from its first page and says why, in both languages", async () => {
    const { t, adminCookie } = await orgWorld();
    await t.request("/admin/invitations", { cookie: adminCookie, form: { email: "new1@x.test", type: "general" } });
    const r = await t.request("/admin/invitations?cursor=bWFyaQ", { cookie: adminCookie });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("This page link is out of date");
    expect(html).toContain("new1@x.test");
    expect(await (await t.request("/admin/invitations?cursor=garbage", { cookie: `${adminCookie}; roster_lang=ja` })).text()).toContain("このページへのリンクは古くなっています");
    const mail = await t.request("/admin/mail?cursor=garbage", { cookie: adminCookie });
    expect(await mail.text()).toContain("This page link is out of date");
  });

  it("escapes what was typed", async () => {
    const { t, adminCookie } = await orgWorld();
    const html = await (await t.request("/admin/invitations", { cookie: adminCookie, form: { email: HOSTILE.join("\n") } })).text();
    for (const h of HOSTILE) expect(html).not.toContain(h);
  });
});
