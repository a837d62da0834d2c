import { describe, expect, it } from "vitest";
import { putSetting } from "../../admin/settings.js";
import { accountOf, adminWorld, idOf, login, PASSWORD } from "./admin-users-world.js";
import { HOSTILE, hx, pageLogin } from "./test-helpers.js";

const profile = {
  nickname: "Mia M.", email: "mia@acme.test", avatarUrl: "https://img.example/mia.png", groupName: " Sales / Tokyo//Team A ", gender: "female", birthDate: "1991-02-03",
  location: "Tokyo", statusMessage: "Hi", language: "ja", friendPolicy: "deny_any", level: "3", role: "7", friendingForbidden: "on",
};

describe("one account's page", () => {
  it("shows every field, userId and type read-only, and the actions that apply", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request(`/admin/users/${idOf(t, "mia")}`, { cookie: adminCookie });
    expect(r.status).toBe(200);
    const html = await r.text();
    for (const name of Object.keys(profile).concat("pushOffline")) expect(html).toContain(`name="${name}"`);
    expect(html).not.toContain('name="userId"');
    expect(html).not.toContain('name="type"');
    expect(html).toContain('<dd class="mono">mia</dd>');
    for (const label of ["Make administrator", "Disable", "End all sessions", "Delete…"]) expect(html).toContain(`>${label}<`);
    // Disabling ends every session at once: the browser asks first.
    expect(html).toMatch(/hx-confirm="Disable [^"]+\? All of their sessions end at once\."/);
    expect(html).not.toContain(">Approve<");
  });

  it("answers another organization's account with the 404 page", async () => {
    const { t, adminCookie, ginaId } = await adminWorld();
    for (const [path, init] of [
      [`/admin/users/${ginaId}`, {}],
      [`/admin/users/${ginaId}/delete`, {}],
      [`/admin/users/${ginaId}`, { form: { nickname: "x" } }],
      [`/admin/users/${ginaId}/disable`, { form: {} }],
    ] as const) {
      const r = await t.request(path, { cookie: adminCookie, ...init });
      expect(r.status, path).toBe(404);
      const html = await r.text();
      expect(html).toContain("This page does not exist.");
      // As a title, the sentence without its full stop.
      expect(html).toContain("<title>This page does not exist · ");
    }
    expect(accountOf(t, "gina")).toMatchObject({ nickname: "", status: "active" });
  });

  it("saves every field with htmx and shows the group normalised", async () => {
    const { t, adminCookie } = await adminWorld();
    const id = idOf(t, "mia");
    const r = await t.request(`/admin/users/${id}`, { form: profile, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toMatch(/^<div id="user-admin"/);
    expect(html).toContain("The account is saved.");
    expect(html).toContain('value="Sales/Tokyo/Team A"');
    expect(html).toContain("<h1 id=\"user-title\">Mia M.</h1>");
    expect(accountOf(t, "mia")).toMatchObject({
      nickname: "Mia M.", groupName: "Sales/Tokyo/Team A", gender: "female", birthDate: "1991-02-03", location: "Tokyo", language: "ja",
      friendPolicy: "deny_any", level: 3, role: 7, friendingForbidden: true, pushOffline: false, avatarUrl: "https://img.example/mia.png",
    });
  });

  it("saves without JavaScript: post, redirect, the saved notice", async () => {
    const { t, adminCookie } = await adminWorld();
    const id = idOf(t, "mia");
    const r = await t.request(`/admin/users/${id}`, { form: { ...profile, pushOffline: "on", friendingForbidden: "" }, cookie: adminCookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/admin/users/${id}?done=saved`);
    expect(await (await t.request(r.headers.get("location") ?? "", { cookie: adminCookie })).text()).toContain("The account is saved.");
    expect(accountOf(t, "mia")).toMatchObject({ pushOffline: true, friendingForbidden: false });
  });

  it("shows errors at their fields with the typed values, and saves nothing", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, level: "-1", role: "" }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(400);
    const html = await r.text();
    for (const field of ["level", "role"]) expect(html).toContain(`id="f-${field}-error"`);
    expect(html).toContain('value="-1"');
    expect(html).toContain('value="Mia M."');
    // A future birth date is the service's second check (it needs today's date).
    const future = await (await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, birthDate: "2999-01-01" }, cookie: adminCookie, headers: hx })).text();
    expect(future).toContain('id="f-birthDate-error"');
    expect(future).toContain('value="2999-01-01"');
    expect(accountOf(t, "mia")?.nickname).toBe("");
  });

  it("changes the email: taken addresses are refused at the field", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, email: "ADA@acme.test" }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(409);
    expect(await r.text()).toContain('id="f-email-error"');
    await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, email: "mia.new@acme.test" }, cookie: adminCookie, headers: hx });
    expect(accountOf(t, "mia")).toMatchObject({ email: "mia.new@acme.test", emailVerifiedAt: null });
  });

  it.each(HOSTILE)("renders a hostile nickname %s as text", async (evil) => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, nickname: evil }, cookie: adminCookie, headers: hx })).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toContain("<img src=x");
  });
});

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

describe("an owner's account, seen by an admin who is not an owner", () => {
  const ownerNote = "Only an owner can change an owner&#39;s account.";

  it("is read-only: the note, disabled fields, no save button and no actions (they would only answer 403)", async () => {
    const { t, adminCookie } = await adminWorld();
    const id = idOf(t, "owner");
    const r = await t.request(`/admin/users/${id}`, { cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(ownerNote);
    expect(html).toContain('<fieldset class="stack" disabled="">');
    expect(html).toContain('name="nickname"');
    expect(html).not.toContain("<form");
    expect(html).not.toContain('type="submit"');
    expect(html).not.toContain(">Save<");
    for (const label of ["Make administrator", "Make member", "Disable", "End all sessions", "Delete…"]) expect(html).not.toContain(`>${label}<`);
    expect(html).not.toContain(`/admin/users/${id}/delete`);
  });

  it("in Japanese", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request(`/admin/users/${idOf(t, "owner")}`, { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(html).toContain("オーナーのアカウントを変更できるのはオーナーだけです。");
  });

  it("the owner still sees the form and the actions", async () => {
    const { t, ownerCookie } = await adminWorld();
    const html = await (await t.request(`/admin/users/${idOf(t, "owner")}`, { cookie: ownerCookie, headers: hx })).text();
    expect(html).not.toContain(ownerNote);
    expect(html).not.toContain("disabled=");
    expect(html).toContain(`<form action="/admin/users/${idOf(t, "owner")}" method="post"`);
    expect(html).toContain('type="submit"');
    expect(html).toContain(">End all sessions<");
  });

  it("a refused post and the delete page show the note and offer nothing", async () => {
    const { t, adminCookie } = await adminWorld();
    putSetting(t.db, "deletionLocked", false);
    const id = idOf(t, "owner");
    const post = await t.request(`/admin/users/${id}`, { form: { ...profile, email: "owner@acme.test", nickname: "Taken" }, cookie: adminCookie, headers: hx });
    expect(post.status).toBe(403);
    const html = await post.text();
    expect(html).toContain(ownerNote);
    expect(html).not.toContain('type="submit"');
    expect(accountOf(t, "owner")?.nickname).not.toBe("Taken");
    const confirm = await t.request(`/admin/users/${id}/delete`, { cookie: adminCookie });
    expect(confirm.status).toBe(403);
    const page = await confirm.text();
    expect(page).toContain(ownerNote);
    expect(page).not.toContain(`action="/admin/users/${id}/delete"`);
  });
});

describe("a new setup link from the account's page", () => {
  it("shows a link to hand over once, with htmx and without, and the earlier link stops working", async () => {
    const { t, adminCookie, owner } = await adminWorld();
    const created = (await (await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "lee" } })).json()) as { user: { id: string }; setupUrl: string };
    const page = await (await t.request(`/admin/users/${created.user.id}`, { cookie: adminCookie })).text();
    expect(page).toContain(">Make a new setup link<");
    expect(page).not.toContain('id="setup-url"');

    const r = await t.request(`/admin/users/${created.user.id}/setup-link`, { form: {}, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toMatch(/^<div id="user-admin"/);
    expect(html).toContain("Hand over the new setup link below");
    const url = /id="setup-url" type="text" value="([^"]+)"/.exec(html)?.[1] ?? "";
    expect(url).toMatch(/\/setup\?token=[a-z2-7]+$/);
    expect(url).not.toBe(created.setupUrl);
    const setup = (link: string) => t.request("/api/v1/auth/setup", { json: { token: new URL(link).searchParams.get("token"), password: "lees-own-pass-42" } });
    expect((await setup(created.setupUrl)).status).toBe(400);

    // Without JavaScript the link is on the answer itself: a redirect would lose it.
    const plain = await t.request(`/admin/users/${created.user.id}/setup-link`, { form: {}, cookie: adminCookie });
    expect(plain.status).toBe(200);
    const plainUrl = /id="setup-url" type="text" value="([^"]+)"/.exec(await plain.text())?.[1] ?? "";
    expect(plainUrl).toMatch(/\/setup\?token=/);
    expect((await setup(url)).status).toBe(400);
    expect((await setup(plainUrl)).status).toBe(200);
    // Set up now: the page no longer offers a link.
    expect(await (await t.request(`/admin/users/${created.user.id}`, { cookie: adminCookie })).text()).not.toContain("setup link<");
  });

  it("mails a new link to an invited account's address, in English and in Japanese", async () => {
    const { t, adminCookie, owner } = await adminWorld();
    const created = (await (await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "sam", email: "sam@acme.test" } })).json()) as { user: { id: string } };
    const first = t.mailbox.sent().length;
    expect(await (await t.request(`/admin/users/${created.user.id}`, { cookie: `${adminCookie}; roster_lang=ja` })).text()).toContain(">設定用リンクを再送する<");
    expect(await (await t.request(`/admin/users/${created.user.id}`, { cookie: adminCookie })).text()).toContain(">Send a new setup link<");

    const r = await t.request(`/admin/users/${created.user.id}/setup-link`, { form: {}, cookie: adminCookie });
    expect(r.status).toBe(303);
    const done = await (await t.request(r.headers.get("location") ?? "", { cookie: adminCookie })).text();
    expect(done).toContain("A new setup link was sent to the account&#39;s email address.");
    expect(done).not.toContain('id="setup-url"');
    expect(t.mailbox.sent()).toHaveLength(first + 1);
    expect(t.mailbox.lastMessage("sam@acme.test")?.text).toContain("/setup?token=");
  });
});

describe("a temporary password from the account's page", () => {
  it("is offered for another person's account (not one's own), sets the password, and says what happens next, in both languages", async () => {
    const { t, adminCookie } = await adminWorld();
    const id = idOf(t, "mia");
    const page = await (await t.request(`/admin/users/${id}`, { cookie: adminCookie })).text();
    expect(page).toContain('name="password"');
    expect(page).toContain(">Set temporary password<");
    expect(await (await t.request(`/admin/users/${idOf(t, "ada")}`, { cookie: adminCookie })).text()).not.toContain(">Set temporary password<");
    expect(await (await t.request(`/admin/users/${id}`, { cookie: `${adminCookie}; roster_lang=ja` })).text()).toContain(">仮パスワードを設定<");

    const weak = await t.request(`/admin/users/${id}/temporary-password`, { form: { password: "short" }, cookie: adminCookie, headers: hx });
    expect(weak.status).toBe(400);
    const refused = await weak.text();
    expect(refused).toMatch(/^<div id="user-admin"/);
    // Said under the field, tied to it for screen readers, with what was typed kept to correct.
    expect(refused).toMatch(/<p class="field-error" id="f-temporary-password-error">[^<]*at least 8 characters/);
    expect(refused).toMatch(/<input id="f-temporary-password"[^>]*value="short"[^>]*aria-invalid="true"[^>]*aria-describedby="f-temporary-password-hint f-temporary-password-error"/);
    expect(refused).not.toContain('class="alert alert-error"');
    // A plain POST (no JavaScript) gets the same page with the same message.
    const plain = await t.request(`/admin/users/${id}/temporary-password`, { form: { password: "short" }, cookie: adminCookie });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/id="f-temporary-password-error">[^<]*at least 8 characters/);
    expect(accountOf(t, "mia")).toMatchObject({ mustChangePassword: false });

    const r = await t.request(`/admin/users/${id}/temporary-password`, { form: { password: "Temp-Desk-4471" }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("The temporary password is set.");
    expect(accountOf(t, "mia")).toMatchObject({ mustChangePassword: true });
    expect((await t.request("/api/v1/auth/login", { json: { login: "mia", password: "Temp-Desk-4471" } })).status).toBe(200);
    // Mia hears of it from Roster, not only from the admin; the password is not in the mail.
    const notice = t.mailbox.lastMessage("mia@acme.test");
    expect(notice?.subject).toBe("An administrator set a temporary password for you");
    expect(notice?.text).not.toContain("Temp-Desk-4471");
  });
});
