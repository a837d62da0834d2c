import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { accounts, sessions } from "../../db/schema.js";
import { createTestApp, login, PASSWORD, setupOwner } from "../../test/harness.js";
import { cookieFrom, hx, pageLogin } from "./test-helpers.js";

async function ownerWithCookie() {
  const t = createTestApp();
  await setupOwner(t);
  const cookie = await pageLogin(t, "owner", PASSWORD, { "user-agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0" });
  return { t, cookie };
}

const owner = (t: ReturnType<typeof createTestApp>) => t.db.select().from(accounts).where(eq(accounts.userId, "owner")).get();

describe("GET /account", () => {
  it("sends anonymous visitors to log in and back", async () => {
    const t = createTestApp();
    const r = await t.request("/account");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?next=%2Faccount");
    const html = await (await t.request("/login?next=%2Faccount")).text();
    expect(html).toContain('<input type="hidden" name="next" value="/account"/>');
  });

  it("shows the user, each section, and a log-out button in the header", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account", { cookie });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const html = await r.text();
    for (const id of ["profile", "password", "email", "sessions"]) expect(html).toContain(`<section id="${id}"`);
    expect(html).toContain('<span id="whoami" class="whoami">owner</span>');
    expect(html).toContain('<form method="post" action="/logout"');
    // The profile fields a browser can fill in from what it knows of its person say which (WCAG 1.3.5).
    expect(html).toMatch(/<input id="f-avatarUrl" name="avatarUrl" type="url"[^>]* autocomplete="photo"/);
    expect(html).toMatch(/<input id="f-birthDate" name="birthDate" type="date"[^>]* autocomplete="bday"/);
    expect(html).toContain('<select id="f-gender" name="gender" autocomplete="sex"');
    expect(html).toContain('<select id="f-language" name="language" autocomplete="language"');
    // The page's one live region is always there, for app.js to read out what htmx swaps in.
    expect(html).toContain('<div id="flash" aria-live="polite"></div>');
  });

  it("answers htmx with the fragment only", async () => {
    const { t, cookie } = await ownerWithCookie();
    const html = await (await t.request("/account", { cookie, headers: hx })).text();
    expect(html).not.toContain("<html");
    expect(html).toContain('<section id="profile"');
  });
});

describe("profile", () => {
  const form = { nickname: "Taro", avatarUrl: "", groupName: " Sales / Tokyo//Team A ", gender: "male", birthDate: "1990-04-01", location: "Tokyo", statusMessage: "Hi", language: "en", friendPolicy: "allow_any" };

  it("saves with htmx: the section comes back with the group normalised, and the header name out of band", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account/profile", { form, cookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toMatch(/^<section id="profile"/);
    expect(html).toContain('value="Sales/Tokyo/Team A"');
    expect(html).toContain("Your profile is saved.");
    expect(html).toContain('<span id="whoami" class="whoami" hx-swap-oob="true">Taro</span>');
    const a = owner(t);
    expect(a?.groupName).toBe("Sales/Tokyo/Team A");
    expect(a?.pushOffline).toBe(false);
    expect(a?.friendPolicy).toBe("allow_any");
  });

  it("saves without JavaScript: post, redirect, and the page shows the saved values", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account/profile", { form: { ...form, pushOffline: "on" }, cookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/account?saved=profile#profile");
    const html = await (await t.request("/account?saved=profile", { cookie })).text();
    expect(html).toContain("Your profile is saved.");
    expect(html).toContain('value="Sales/Tokyo/Team A"');
    expect(html).toMatch(/name="pushOffline" type="checkbox" checked=""/);
  });

  it("shows errors per field with the typed values, and changes nothing", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account/profile", { form: { ...form, avatarUrl: "javascript:alert(1)", birthDate: "2999-01-01" }, cookie, headers: hx });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="f-avatarUrl-error"');
    expect(html).toMatch(/<a href="#f-avatarUrl">Avatar URL: [^<]+<\/a>/);
    expect(html).toMatch(/<a href="#f-birthDate">Birth date: [^<]+<\/a>/);
    expect(html).toContain('value="javascript:alert(1)"');
    expect(html).toContain('value="Taro"');
    expect(owner(t)?.nickname).toBe("");
  });

  it("changing the profile language drops this device's language override and reloads the page", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account/profile", { form: { ...form, language: "ja" }, cookie: `${cookie}; roster_lang=en`, headers: hx });
    expect(r.headers.get("hx-refresh")).toBe("true");
    expect(r.headers.getSetCookie().some((l) => /^roster_lang=;/.test(l))).toBe(true);
    expect(await (await t.request("/account", { cookie })).text()).toContain('<html lang="ja">');
  });
});

describe("password", () => {
  it("a change ends every other session and keeps this one", async () => {
    const { t, cookie } = await ownerWithCookie();
    const other = await login(t, "owner");
    const r = await t.request("/account/password", { form: { currentPassword: PASSWORD, newPassword: "another good passphrase", newPasswordConfirm: "another good passphrase" }, cookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("Your password is changed.");
    expect(html).toContain('<section id="sessions" class="card" aria-labelledby="sessions-title" hx-swap-oob="true">');
    expect((await t.request("/api/v1/me", { token: other.token })).status).toBe(401);
    expect((await t.request("/account", { cookie })).status).toBe(200);
  });

  it("regression: 'choose a new password' sits in the password section the log-in opens (#password), stays after a mistake, and leaves once it is changed", async () => {
    const t = createTestApp();
    await setupOwner(t);
    t.db.update(accounts).set({ mustChangePassword: true }).where(eq(accounts.userId, "owner")).run();
    const r = await t.request("/login", { form: { login: "owner", password: PASSWORD } });
    const landing = r.headers.get("location")!;
    expect(landing).toBe("/account?notice=must_change_password#password");
    const cookie = cookieFrom(r);
    const section = (html: string) => html.match(/<section id="password"[^]*?<\/section>/)?.[0] ?? "";
    const html = await (await t.request(landing.split("#")[0]!, { cookie })).text();
    expect(section(html)).toMatch(/<h2 id="password-title">Password<\/h2><div class="alert alert-info"[^>]*><p>Please choose a new password before you continue\.<\/p>/);
    // Once on the page: not also at the top, out of sight on a phone opened at #password.
    expect(html.match(/choose a new password before you continue/g)).toHaveLength(1);

    const wrong = await t.request("/account/password", { form: { currentPassword: "not my password", newPassword: "a brand new passphrase 42", newPasswordConfirm: "a brand new passphrase 42" }, cookie, headers: hx });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("Please choose a new password before you continue.");

    const changed = await t.request("/account/password", { form: { currentPassword: PASSWORD, newPassword: "a brand new passphrase 42", newPasswordConfirm: "a brand new passphrase 42" }, cookie, headers: hx });
    expect(changed.status).toBe(200);
    const after = await changed.text();
    expect(after).toContain("Your password is changed.");
    expect(after).not.toContain("choose a new password");
    // The address bar still says ?notice=must_change_password: a reload does not bring the notice back.
    expect(await (await t.request(landing.split("#")[0]!, { cookie })).text()).not.toContain("choose a new password");
  });

  it("a wrong current password is shown on its field", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account/password", { form: { currentPassword: "not my password", newPassword: "another good passphrase", newPasswordConfirm: "another good passphrase" }, cookie });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="f-currentPassword-error">The current password is wrong.');
    expect(html).toContain("<html"); // without htmx, the whole page
    expect(html).not.toContain("another good passphrase");
  });
});

describe("email", () => {
  it("a change answers 'check the new address' and mails a link there", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account/email", { form: { newEmail: "boss@new.test", password: PASSWORD }, cookie, headers: hx });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("Check the new address: we sent a confirmation link to boss@new.test.");
    expect(t.mailbox.lastMessage("boss@new.test")).toBeDefined();
  });

  it("a wrong password is shown on the password field, the new address kept", async () => {
    const { t, cookie } = await ownerWithCookie();
    const r = await t.request("/account/email", { form: { newEmail: "boss@new.test", password: "nope nope nope" }, cookie, headers: hx });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="email-password-error"');
    expect(html).toContain('value="boss@new.test"');
  });
});

describe("sessions", () => {
  it("lists the sessions with this one marked, and End ends another", async () => {
    const { t, cookie } = await ownerWithCookie();
    const other = await login(t, "owner");
    const page = await (await t.request("/account", { cookie })).text();
    expect(page).toContain("Chrome on Windows");
    expect(page.match(/class="badge">This device</g)?.length).toBe(1);
    const ids = t.db.select().from(sessions).all().map((s) => s.id);
    const otherId = other.token.split(".")[0] ?? "";
    expect(ids).toContain(otherId);
    expect(page).toContain(`action="/account/sessions/${otherId}/end"`);

    const r = await t.request(`/account/sessions/${otherId}/end`, { form: {}, cookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("The session was ended.");
    expect(html).not.toContain(otherId);
    expect((await t.request("/api/v1/me", { token: other.token })).status).toBe(401);
  });

  it("'log out everywhere else' ends all other sessions", async () => {
    const { t, cookie } = await ownerWithCookie();
    await login(t, "owner");
    await login(t, "owner");
    const r = await t.request("/account/sessions/others", { form: {}, cookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/account?saved=sessions#sessions");
    expect(t.db.select().from(sessions).all()).toHaveLength(1);
    expect((await t.request("/account", { cookie })).status).toBe(200);
  });

  it("another account's session cannot be ended", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const cookie = await pageLogin(t, "owner");
    await t.request("/register", { form: { email: "m@acme.test", password: PASSWORD } });
    await t.request("/verify-email", { form: { email: "m@acme.test", code: t.mailbox.codeIn(t.mailbox.lastMessage("m@acme.test")) } });
    const theirs = await login(t, "m@acme.test");
    const r = await t.request(`/account/sessions/${theirs.token.split(".")[0]}/end`, { form: {}, cookie, headers: hx });
    expect(r.status).toBe(404);
    expect((await t.request("/api/v1/me", { token: theirs.token })).status).toBe(200);
  });
});
