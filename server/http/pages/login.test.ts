import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema.js";
import { createTestApp, PASSWORD, registerMember, setupOwner } from "../../test/harness.js";
import { cookieFrom, pageLogin, setCookieLine } from "./test-helpers.js";

describe("log in", () => {
  it("sets an HttpOnly, SameSite=Lax, Path=/ session cookie (not Secure on http) and goes to the account", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/login", { form: { login: "owner", password: PASSWORD } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/account");
    const line = setCookieLine(r, "roster_session") ?? "";
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\//);
    expect(line).not.toMatch(/Secure/);
  });

  it("marks the cookie Secure when the base URL is https", async () => {
    const t = createTestApp({ config: { baseUrl: "https://roster.example", secureCookies: true } });
    await setupOwner(t);
    const r = await t.request("/login", { form: { login: "owner@acme.test", password: PASSWORD } });
    expect(r.status).toBe(303);
    expect(setCookieLine(r, "roster_session")).toMatch(/; Secure/);
  });

  it("goes to a same-origin next, never to another site", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const ours = await t.request("/login", { form: { login: "owner", password: PASSWORD, next: "/account#sessions" } });
    expect(ours.headers.get("location")).toBe("/account#sessions");
    for (const next of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]) {
      const r = await t.request("/login", { form: { login: "owner", password: PASSWORD, next } });
      expect(r.headers.get("location"), next).toBe("/account");
    }
  });

  it("shows a wrong password on the form, keeps the login, never the password", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/login", { form: { login: "owner", password: "wrong-password-typed" } });
    expect(r.status).toBe(401);
    const html = await r.text();
    expect(html).toContain("The email address (or user ID) or the password is wrong.");
    expect(html).toContain('value="owner"');
    expect(html).not.toContain("wrong-password-typed");
    expect(r.headers.getSetCookie().some((l) => l.startsWith("roster_session="))).toBe(false);
    // The title says there is an error first (what a screen reader reads first), and the summary can take focus.
    expect(html).toContain("<title>Error: Log in · ");
    expect(html).toContain('<div class="alert alert-error error-summary" role="alert" tabindex="-1">');
  });

  it("says エラー： first in the title of a refused log in in Japanese, and not on the plain page", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/login", { form: { login: "owner", password: "wrong-password-typed" }, headers: { "accept-language": "ja" } });
    expect(await r.text()).toContain("<title>エラー：ログイン · ");
    expect(await (await t.request("/login", { headers: { "accept-language": "ja" } })).text()).toContain("<title>ログイン · ");
  });

  it("an unconfirmed address says so and offers to send the mail again", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await t.request("/register", { form: { email: "new@acme.test", password: PASSWORD } });
    const r = await t.request("/login", { form: { login: "new@acme.test", password: PASSWORD } });
    expect(r.status).toBe(403);
    const html = await r.text();
    expect(html).toContain("Your email address is not confirmed yet.");
    expect(html).toContain('action="/resend-verification"');
    expect(html).toContain('<input type="hidden" name="email" value="new@acme.test"/>');
  });

  it("after repeated failures says how many seconds to wait", async () => {
    const t = createTestApp();
    await setupOwner(t);
    let r: Response | undefined;
    for (let i = 0; i < 10; i++) {
      r = await t.request("/login", { form: { login: "owner", password: "wrong-password" } });
      if (r.status === 429) break;
    }
    expect(r?.status).toBe(429);
    const seconds = r?.headers.get("retry-after");
    expect(Number(seconds)).toBeGreaterThan(0);
    expect(await r?.text()).toContain(`Try again in ${seconds} seconds.`);
  });

  it("someone who must change their password lands on the password form with a notice", async () => {
    const t = createTestApp();
    await setupOwner(t);
    t.db.update(accounts).set({ mustChangePassword: true }).where(eq(accounts.userId, "owner")).run();
    const r = await t.request("/login", { form: { login: "owner", password: PASSWORD } });
    expect(r.headers.get("location")).toBe("/account?notice=must_change_password#password");
    const html = await (await t.request("/account?notice=must_change_password", { cookie: cookieFrom(r) })).text();
    expect(html).toContain("Please choose a new password before you continue.");
    // Until the password is changed, other pages lead back to the form; after it, they open.
    const cookie = cookieFrom(r);
    for (const path of ["/admin", "/admin/users", "/people", "/"]) {
      const away = await t.request(path, { cookie });
      expect(away.status, path).toBe(303);
      expect(away.headers.get("location"), path).toBe("/account?notice=must_change_password#password");
    }
    const changed = await t.request("/account/password", { form: { currentPassword: PASSWORD, newPassword: "a brand new passphrase 42", newPasswordConfirm: "a brand new passphrase 42" }, cookie });
    expect(changed.status).toBeLessThan(400);
    const after = cookie;
    expect((await t.request("/admin", { cookie: after })).status).toBe(200);
  });

  it("a logged-in visitor of /login goes straight to the account", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const cookie = await pageLogin(t, "owner");
    const r = await t.request("/login", { cookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/account");
  });

  it("htmx requests get HX-Redirect instead of a 303", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/login", { form: { login: "owner", password: PASSWORD }, headers: { "hx-request": "true" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("hx-redirect")).toBe("/account");
  });
});

describe("log out", () => {
  it("ends the session, clears the cookie and goes to the log-in page", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await registerMember(t, "member@acme.test");
    const cookie = await pageLogin(t, "member@acme.test");
    const r = await t.request("/logout", { method: "POST", form: {}, cookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?notice=logged_out");
    expect(setCookieLine(r, "roster_session")).toMatch(/roster_session=;.*Max-Age=0/);
    const after = await t.request("/account", { cookie });
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/login?next=%2Faccount");
    expect(await (await t.request("/login?notice=logged_out")).text()).toContain("You are logged out.");
  });
});
