import { describe, expect, it } from "vitest";
import { accountOf, adminWorld, idOf } from "./admin-users-world.js";
import { hx } from "./test-helpers.js";

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
