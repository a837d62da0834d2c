import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema.js";
import { createTestApp, PASSWORD, setupOwner, type TestApp } from "../../test/harness.js";
import { cookieFrom, pageLogin, pageOwner } from "./test-helpers.js";

describe("GET /register", () => {
  it("on an empty server asks for the organization and offers to claim the domain (ticked)", async () => {
    const t = createTestApp();
    const html = await (await t.request("/register")).text();
    expect(html).toContain('name="organizationName"');
    expect(html).toMatch(/<input id="f-claimDomain" name="claimDomain" type="checkbox" checked=""/);
    expect(html).toContain("Set up this server");
  });

  it("once an account exists asks for neither", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const html = await (await t.request("/register")).text();
    expect(html).not.toContain('name="organizationName"');
    expect(html).not.toContain('name="claimDomain"');
    expect(html).toContain('name="email"');
  });
});

describe("POST /register", () => {
  it("makes the first person owner, logs them in and sends them to their account", async () => {
    const t = createTestApp();
    const r = await t.request("/register", { form: { first: "1", organizationName: "Acme", email: "boss@acme.test", password: PASSWORD, userId: "boss", claimDomain: "on" } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/account");
    const page = await (await t.request("/account", { cookie: cookieFrom(r) })).text();
    expect(page).toContain("boss");
    expect(page).toContain("Owner");
    expect(page).toContain("Acme");
  });

  it("a ticked claim box claims the domain: a later registration joins the organization", async () => {
    const t = createTestApp();
    await t.request("/register", { form: { first: "1", organizationName: "Acme", email: "boss@acme.test", password: PASSWORD, claimDomain: "on" } });
    await t.request("/register", { form: { email: "worker@acme.test", password: PASSWORD } });
    const worker = t.db.select().from(accounts).where(eq(accounts.emailLower, "worker@acme.test")).get();
    expect(worker?.organizationId).not.toBeNull();
  });

  it("an unticked claim box leaves the domain unclaimed: a later registration stays personal", async () => {
    const t = createTestApp();
    await t.request("/register", { form: { first: "1", organizationName: "Acme", email: "boss@acme.test", password: PASSWORD } });
    await t.request("/register", { form: { email: "worker@acme.test", password: PASSWORD } });
    const worker = t.db.select().from(accounts).where(eq(accounts.emailLower, "worker@acme.test")).get();
    expect(worker?.organizationId).toBeNull();
  });

  it("a later registration shows 'check your mail' with the code form and a resend button", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/register", { form: { email: "new@acme.test", password: PASSWORD, nickname: "Newbie" } });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("Check your mail");
    expect(html).toContain('action="/verify-email"');
    expect(html).toContain('name="code"');
    expect(html).toContain('action="/resend-verification"');
    expect(r.headers.getSetCookie()).toEqual([]);
  });

  it("re-renders the form with the typed values (not the password) and one message per field", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/register", { form: { email: "not-an-email", password: "secret-typed-pw", userId: "X!", nickname: "Taro" } });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain("Please correct the marked fields.");
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('value="Taro"');
    expect(html).not.toContain("secret-typed-pw");
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('<p class="field-error" id="f-email-error">Enter a valid email address.</p>');
    expect(html).toContain('aria-describedby="f-email-error"');
    // The summary lists each field's message as a link to the field, in the form's order.
    const summary = html.slice(html.indexOf("error-summary"), html.indexOf("</ul>"));
    expect(summary).toContain('<li><a href="#f-email">Email address: Enter a valid email address.</a></li>');
    expect(summary.indexOf('href="#f-email"')).toBeLessThan(summary.indexOf('href="#f-userId"'));
    expect(html).toContain("<title>Error: Create an account · ");
  });

  it("says a weak password's reason next to the password field", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/register", { form: { email: "a@acme.test", password: "short" } });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('id="f-password-error">Use at least 8 characters.');
  });

  it("speaks Japanese with Accept-Language: ja", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/register", { form: { email: "bad", password: "short", nickname: "太郎" }, headers: { "accept-language": "ja,en;q=0.5" } });
    const html = await r.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("入力内容を確認してください。");
    expect(html).toContain("正しいメールアドレスを入力してください。");
    expect(html).toContain('<a href="#f-email">メールアドレス：正しいメールアドレスを入力してください。</a>');
    expect(html).toContain("<title>エラー：");
    expect(html).toContain('value="太郎"');
  });

  it("speaks Japanese with the language cookie, over the browser's language", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/register", { form: { email: "bad", password: PASSWORD }, cookie: "roster_lang=ja", headers: { "accept-language": "en" } });
    expect(await r.text()).toContain("正しいメールアドレスを入力してください。");
  });

  it("the first registration without an organization name says so on the field", async () => {
    const t = createTestApp();
    const r = await t.request("/register", { form: { first: "1", organizationName: "", email: "boss@acme.test", password: PASSWORD } });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="f-organizationName-error"');
    expect(html).toContain('name="organizationName"');
  });

  it("on a closed server says so instead of showing a form", async () => {
    const t = createTestApp();
    await setupOwner(t);
    t.db.$client.prepare("INSERT INTO settings (key, value) VALUES ('registration', '\"closed\"')").run();
    const html = await (await t.request("/register")).text();
    expect(html).toContain("Only administrators create accounts on this server.");
    expect(html).not.toContain('action="/register"');
  });

  it("says before anyone types what the policy asks, and the log-in page offers registration only where it is open", async () => {
    const t = createTestApp();
    const loginOffers = async () => (await (await t.request("/login")).text()).includes('href="/register"');
    // An empty server: the first person registers.
    expect(await loginOffers()).toBe(true);
    await setupOwner(t);
    const policy = (p: string) => t.db.$client.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('registration', ?)").run(JSON.stringify(p));
    policy("approval");
    expect(await (await t.request("/register")).text()).toContain("An administrator approves new accounts");
    expect(await (await t.request("/register", { headers: { "accept-language": "ja" } })).text()).toContain("新しいアカウントは管理者の承認が必要です");
    expect(await loginOffers()).toBe(true);
    policy("domain");
    expect(await (await t.request("/register")).text()).toContain("Only addresses at the email domains of the organizations");
    policy("open");
    expect(await (await t.request("/register")).text()).not.toContain('<p class="hint">An administrator');
    for (const closed of ["invite", "closed"]) {
      policy(closed);
      expect(await loginOffers(), closed).toBe(false);
    }
  });
});

describe("confirming the address", () => {
  /** Opens a mailed confirmation link (GET) and presses its Confirm button (the form's POST). */
  async function openAndConfirm(t: TestApp, url: string, cookie?: string) {
    const link = new URL(url);
    const opened = await t.request(link.pathname + link.search, { cookie });
    const html = await opened.text();
    const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
    return { opened, html, press: () => t.request("/verify-email", { form: { token: token ?? "" }, cookie }) };
  }

  it("the mailed link shows the address and a Confirm button; pressing it confirms, and the person can then log in", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await t.request("/register", { form: { email: "new@acme.test", password: PASSWORD } });
    const { opened, html, press } = await openAndConfirm(t, t.mailbox.linkIn(t.mailbox.lastMessage("new@acme.test")));
    expect(opened.status).toBe(200);
    expect(html).toContain("Confirm your email address");
    expect(html).toContain("new@acme.test");
    const r = await press();
    expect(r.status).toBe(200);
    const done = await r.text();
    expect(done).toContain("Email confirmed");
    expect(done).toContain('href="/login"');
    await pageLogin(t, "new@acme.test");
  });

  it("regression: opening the link, as mail filters do (GET and HEAD, again and again), confirms nothing", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await t.request("/register", { form: { email: "new@acme.test", password: PASSWORD } });
    const url = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("new@acme.test")));
    for (const method of ["HEAD", "GET", "GET"]) expect((await t.request(url.pathname + url.search, { method })).status, method).toBe(200);
    expect((await t.request("/api/v1/auth/login", { json: { login: "new@acme.test", password: PASSWORD } })).status).toBe(403);
    // The person who opens it afterwards still confirms with it.
    expect(await (await (await openAndConfirm(t, url.href)).press()).text()).toContain("Email confirmed");
    await pageLogin(t, "new@acme.test");
  });

  it("a used link says it cannot be used and offers a new mail, when opened and when pressed", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await t.request("/register", { form: { email: "new@acme.test", password: PASSWORD } });
    const url = t.mailbox.linkIn(t.mailbox.lastMessage("new@acme.test"));
    const first = await openAndConfirm(t, url);
    await first.press();
    const again = await openAndConfirm(t, url);
    expect(again.opened.status).toBe(400);
    expect(again.html).toContain("This link or code is not valid.");
    expect(again.html).toContain('action="/resend-verification"');
    const pressedTwice = await first.press();
    expect(pressedTwice.status).toBe(400);
    expect(await pressedTwice.text()).toContain('action="/resend-verification"');
  });

  it("the 6-digit code form confirms; a wrong code is shown on the field", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await t.request("/register", { form: { email: "new@acme.test", password: PASSWORD } });
    const wrong = await t.request("/verify-email", { form: { email: "new@acme.test", code: "000000" } });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('id="f-code-error">Enter the 6-digit code from the mail.');
    const code = t.mailbox.codeIn(t.mailbox.lastMessage("new@acme.test"));
    const ok = await t.request("/verify-email", { form: { email: "new@acme.test", code } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("Email confirmed");
  });

  it("the resend page says what it does and leads back to log in, in both languages", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const en = await (await t.request("/resend-verification")).text();
    expect(en).toContain("Enter the address you registered with");
    expect(en).toContain('<a href="/login">Back to log in</a>');
    const ja = await (await t.request("/resend-verification", { headers: { "accept-language": "ja" } })).text();
    expect(ja).toContain("登録したメールアドレスを入力してください");
  });

  it("send again queues a new mail once a minute, and says to wait after that", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await t.request("/register", { form: { email: "new@acme.test", password: PASSWORD } });
    // Registering sent the first mail: the minute starts there.
    expect((await t.request("/resend-verification", { form: { email: "new@acme.test" } })).status).toBe(429);
    t.clock.advance(60_000);
    const before = t.mailbox.sent().length;
    const r = await t.request("/resend-verification", { form: { email: "new@acme.test" } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("a new mail is on its way");
    expect(t.mailbox.sent().length).toBe(before + 1);
    const soon = await t.request("/resend-verification", { form: { email: "new@acme.test" } });
    expect(soon.status).toBe(429);
    expect(soon.headers.get("retry-after")).toBe("60");
    expect(await soon.text()).toContain("Try again in 60 seconds.");
  });

  it("an email change link says the new address is confirmed", async () => {
    const t = createTestApp();
    const cookie = await pageOwner(t);
    await t.request("/account/email", { form: { newEmail: "boss@new.test", password: PASSWORD }, cookie });
    const { html, press } = await openAndConfirm(t, t.mailbox.linkIn(t.mailbox.lastMessage("boss@new.test")), cookie);
    expect(html).toContain("Confirm your new address");
    expect(html).toContain("boss@new.test");
    expect(await (await press()).text()).toContain("Your new address is confirmed");
  });
});
