import { describe, expect, it } from "vitest";
import { accountOf, adminWorld, PASSWORD } from "./admin-users-world.js";
import { hx } from "./test-helpers.js";

const form = { type: "general", userId: "sam", nickname: "Sam", avatarUrl: "", email: "", password: "" };

describe("the create account dialog", () => {
  it("opens as a dialog for htmx, and as a page without JavaScript", async () => {
    const { t, adminCookie } = await adminWorld();
    const dialog = await (await t.request("/admin/users/new", { cookie: adminCookie, headers: hx })).text();
    expect(dialog).toMatch(/^<dialog class="admin-dialog" data-modal=""/);
    expect(dialog).toContain('hx-post="/admin/users/new" hx-target="#create-user"');
    expect(dialog).toContain('<form method="dialog"');
    // In the dialog the form's heading sits under the users page's h1; its first question, the type, takes the focus.
    expect(dialog).toContain('<h2 id="create-title">');
    expect(dialog).toContain('<input type="radio" id="f-type-general" name="type" value="general" checked="" autofocus=""/>');
    expect(dialog).not.toMatch(/id="f-userId"[^>]*autofocus/);
    const page = await (await t.request("/admin/users/new", { cookie: adminCookie })).text();
    expect(page).toContain("<html");
    // Without JavaScript it is the page's own heading.
    expect(page).toContain('<h1 id="create-title">');
    expect(page).toContain('<form action="/admin/users/new" method="post"');
    expect(page).not.toContain("<dialog");
    // Only owners choose the organization.
    expect(page).not.toContain('name="organizationId"');
  });

  it("with an email and no password: a setup mail", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request("/admin/users/new", { form: { ...form, email: "sam@acme.test", groupName: " Sales / Tokyo " }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(201);
    // The group is set at creation, normalised as on the profile.
    expect(accountOf(t, "sam")?.groupName).toBe("Sales/Tokyo");
    expect(r.headers.get("hx-trigger")).toBe("users-changed");
    const html = await r.text();
    expect(html).toMatch(/^<section id="create-user"/);
    expect(html).toContain("Account sam is created. A setup mail was sent to sam@acme.test");
    expect(t.mailbox.lastMessage("sam@acme.test")?.text).toContain("/setup?token=");
    expect(accountOf(t, "sam")?.status).toBe("invited");
  });

  it("chooses the new account's language, starting from the page's: a Japanese admin's new account gets its setup mail in Japanese", async () => {
    const { t, adminCookie } = await adminWorld();
    const ja = await (await t.request("/admin/users/new", { cookie: `${adminCookie}; roster_lang=ja`, headers: hx })).text();
    expect(ja).toMatch(/<option value="ja" selected="">日本語<\/option>/);
    const r = await t.request("/admin/users/new", { form: { ...form, email: "sam@acme.test", language: "ja" }, cookie: `${adminCookie}; roster_lang=ja`, headers: hx });
    expect(r.status).toBe(201);
    expect(accountOf(t, "sam")?.language).toBe("ja");
    expect(t.mailbox.lastMessage("sam@acme.test")?.subject).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    const en = await t.request("/admin/users/new", { form: { ...form, userId: "lee", email: "lee@acme.test", language: "en" }, cookie: `${adminCookie}; roster_lang=ja`, headers: hx });
    expect(en.status).toBe(201);
    expect(t.mailbox.lastMessage("lee@acme.test")?.subject).not.toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
  });

  it("with a password: active, changed at the first log in", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request("/admin/users/new", { form: { ...form, password: PASSWORD }, cookie: adminCookie, headers: hx })).text();
    expect(html).toContain("Account sam is active. The password must be changed at the first log in.");
    expect(html).not.toContain(PASSWORD);
    expect(accountOf(t, "sam")).toMatchObject({ status: "active", mustChangePassword: true });
  });

  it("with neither: the setup link, shown once in a field to copy (also without JavaScript)", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request("/admin/users/new", { form, cookie: adminCookie });
    expect(r.status).toBe(201);
    const html = await r.text();
    expect(html).toContain("<html");
    expect(html).toContain("Hand over the setup link below: it is shown only this once.");
    const url = /<input id="setup-url" type="text" value="([^"]+)" readonly=""/.exec(html)?.[1];
    expect(url).toMatch(/^http:\/\/localhost:8080\/setup\?token=[a-z2-7]+$/);
    expect(html).toContain('data-copy="#setup-url"');
    expect(t.mailbox.sent().filter((m) => m.text.includes(url ?? "-"))).toEqual([]);
  });

  it.each([
    ["user_id_taken", { userId: "mia" }, 409, "userId", "This user ID is already taken."],
    ["email_taken", { email: "MIA@acme.test" }, 409, "email", "This email address is already in use."],
    ["weak_password", { password: "password" }, 400, "password", "This password is among the most common ones; choose another."],
    ["validation_failed", { userId: "-x" }, 400, "userId", "3–32 characters"],
    ["validation_failed (type)", { type: "owner" }, 400, "type", "Use general or admin."],
  ] as const)("%s: the dialog comes back with the values and the message at the field", async (_code, change, status, field, message) => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request("/admin/users/new", { form: { ...form, ...change }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(status);
    const html = await r.text();
    expect(html).toMatch(/^<section id="create-user"/);
    expect(html).toContain(`id="f-${field}-error"`);
    expect(html).toContain(message);
    // The message is its field's description, and the summary links to the field.
    expect(html).toMatch(new RegExp(`aria-describedby="[^"]*f-${field}-error"`));
    expect(html).toContain(`<a href="#f-${field === "type" ? "type-general" : field}">`);
    expect(html).toContain('value="Sam"');
    expect(html).not.toContain('value="password"');
    expect(r.headers.get("hx-trigger")).toBeNull();
  });

  it("admin_limit_reached: said above the form, nothing created", async () => {
    const { t, adminCookie } = await adminWorld();
    t.db.$client.prepare("UPDATE organizations SET admin_limit = 2 WHERE name = 'Acme'").run();
    const r = await t.request("/admin/users/new", { form: { ...form, type: "admin" }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(409);
    const html = await r.text();
    expect(html).toContain("The organization has reached its administrator limit.");
    expect(html).toMatch(/<input type="radio" id="f-type-admin" name="type" value="admin" checked=""/);
    expect(accountOf(t, "sam")).toBeUndefined();
  });

  it("owners choose the organization; an admin's choice is ignored", async () => {
    const { t, adminCookie, ownerCookie, globex } = await adminWorld();
    const page = await (await t.request("/admin/users/new", { cookie: ownerCookie })).text();
    expect(page).toContain(`<option value="${globex.id}">Globex</option>`);
    await t.request("/admin/users/new", { form: { ...form, userId: "gus", organizationId: globex.id }, cookie: ownerCookie });
    expect(accountOf(t, "gus")?.organizationId).toBe(globex.id);
    await t.request("/admin/users/new", { form: { ...form, userId: "sneaky", organizationId: globex.id }, cookie: adminCookie });
    expect(accountOf(t, "sneaky")?.organizationId).toBe(accountOf(t, "ada")?.organizationId);
  });
});
