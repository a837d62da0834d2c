import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { accounts } from "../../db/schema.js";
import { createTestApp, PASSWORD, setupOwner } from "../../test/harness.js";
import { HOSTILE, hx, pageLogin, setCookieLine } from "./test-helpers.js";

describe("escaping", () => {
  it.each(HOSTILE)("a nickname and location of %s render as text, on the page and in the htmx answer", async (evil) => {
    const t = createTestApp();
    await setupOwner(t);
    const cookie = await pageLogin(t, "owner");
    const saved = await (await t.request("/account/profile", { form: { nickname: evil, location: evil, statusMessage: evil }, cookie, headers: hx })).text();
    const page = await (await t.request("/account", { cookie })).text();
    for (const html of [saved, page]) {
      expect(html).not.toContain("<script>alert(1)</script>");
      expect(html).not.toContain("<img src=x");
      expect(html).toContain(evil.includes("<script>") ? "&lt;script&gt;alert(1)&lt;/script&gt;" : "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    }
  });

  it("hostile values typed into the registration form come back escaped", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const html = await (await t.request("/register", { form: { email: HOSTILE[1] ?? "", password: "x", nickname: HOSTILE[0] ?? "" } })).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toContain("<img src=x");
  });
});

describe("CSRF", () => {
  it("a form posted from another site is refused with 403 and changes nothing", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const cookie = await pageLogin(t, "owner");
    const r = await t.request("/account/profile", { form: { nickname: "pwned" }, cookie, headers: { origin: "https://evil.example" } });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain("This form was sent from another site and was refused.");
    expect(t.db.select().from(accounts).where(eq(accounts.userId, "owner")).get()?.nickname).toBe("");
  });

  it("a log-in form posted from another site sets no cookie", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const r = await t.request("/login", { form: { login: "owner", password: PASSWORD }, headers: { origin: "https://evil.example" } });
    expect(r.status).toBe(403);
    expect(setCookieLine(r, "roster_session")).toBeUndefined();
  });
});

describe("security headers", () => {
  it.each(["/login", "/register", "/forgot-password", "/no-such-page"])("%s carries CSP, frame denial, nosniff and a referrer policy", async (path) => {
    const t = createTestApp();
    const r = await t.request(path);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(r.headers.get("x-frame-options")).toBe("DENY");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("referrer-policy")).toBe("same-origin");
  });

  it("pages have no inline script, no style attributes and only our own assets", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const cookie = await pageLogin(t, "owner");
    for (const path of ["/register", "/login", "/account"]) {
      const html = await (await t.request(path, { cookie: path === "/account" ? cookie : undefined })).text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc="\/static\/)/);
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).not.toMatch(/\son[a-z]+="/);
      expect(html).toMatch(/<link rel="stylesheet" href="\/static\/app\.css\?v=/);
    }
  });
});

describe("error pages", () => {
  it("an unknown page is a 404 in the layout, in the reader's language", async () => {
    const t = createTestApp();
    const r = await t.request("/no-such-page", { headers: { "accept-language": "ja" } });
    expect(r.status).toBe(404);
    const html = await r.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("ページが見つかりません。");
  });

  it("for htmx, goes into the page's flash region", async () => {
    const t = createTestApp();
    const r = await t.request("/no-such-page", { headers: hx });
    expect(r.status).toBe(404);
    expect(r.headers.get("hx-retarget")).toBe("#flash");
    expect(await r.text()).toMatch(/^<div class="alert alert-error"/);
  });
});

describe("language switcher", () => {
  it("sets a year-long Lax cookie and goes back to the page", async () => {
    const t = createTestApp();
    const r = await t.request("/lang/ja?next=%2Fregister");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/register");
    const line = setCookieLine(r, "roster_lang") ?? "";
    expect(line).toMatch(/^roster_lang=ja;/);
    expect(line).toMatch(/Max-Age=31536000/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\//);
    const html = await (await t.request("/register", { cookie: "roster_lang=ja" })).text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("アカウント");
    expect(html).toContain('action="/lang/en?next=%2Fregister"');
  });

  it.each(["//evil.example", "https://evil.example", "/\\evil.example", "%2F%2Fevil.example"])("does not follow next=%s", async (next) => {
    const t = createTestApp();
    const r = await t.request(`/lang/en?next=${next}`);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/");
  });

  it("a logged-in admin's switch (a POST) is also their account's language, which the accounts they create and their mail take; a link (GET) changes only the device", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t, { userId: "owner" });
    const cookie = await pageLogin(t, "owner");
    const language = () => t.db.select().from(accounts).where(eq(accounts.id, owner.user.id)).get()?.language;
    expect(language()).toBe("en");
    expect((await t.request("/lang/ja?next=%2Fadmin", { cookie })).status).toBe(303);
    expect(language()).toBe("en");

    const r = await t.request("/lang/ja", { form: { next: "/admin/users" }, cookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/admin/users");
    expect(setCookieLine(r, "roster_lang")).toMatch(/^roster_lang=ja;/);
    expect(language()).toBe("ja");
    await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "yamada", email: "yamada@acme.test" } });
    expect(t.mailbox.lastMessage("yamada@acme.test")?.subject).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    // Anonymous: the cookie only.
    expect(setCookieLine(await t.request("/lang/en", { form: {} }), "roster_lang")).toMatch(/^roster_lang=en;/);
  });

  it("knows only en and ja", async () => {
    const t = createTestApp();
    const r = await t.request("/lang/xx");
    expect(r.status).toBe(404);
    expect(setCookieLine(r, "roster_lang")).toBeUndefined();
  });

  it("/ goes to log in, or to the account when logged in; on a server without any account, to the registration that makes its owner", async () => {
    const t = createTestApp();
    expect((await t.request("/")).headers.get("location")).toBe("/register");
    await setupOwner(t);
    expect((await t.request("/")).headers.get("location")).toBe("/login");
    const cookie = await pageLogin(t, "owner");
    expect((await t.request("/", { cookie })).headers.get("location")).toBe("/account");
  });
});

describe("page forms: size and shape", () => {
  it("refuses a form over 512 KB with 413 before reading it; the JSON API still takes up to 1 MB", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const big = `login=owner&password=x&pad=${"a".repeat(512 * 1024)}`;
    const r = await t.request("/login", { body: big, headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost:8080" } });
    expect(r.status).toBe(413);
    const api = await t.request("/api/v1/auth/login", { body: JSON.stringify({ login: "owner", password: "x".repeat(600 * 1024) }), headers: { "content-type": "application/json" } });
    expect(api.status).not.toBe(413);
  });

  it("reads a form's fields as the browser sent them: the last of a repeated field, nothing from Object.prototype", async () => {
    const t = createTestApp();
    await setupOwner(t, { userId: "owner" });
    const form = (body: string) => t.request("/login", { body, headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost:8080" } });
    // The last password is the right one: logged in (a redirect with a session cookie).
    const ok = await form(`login=owner&password=wrong&password=${encodeURIComponent(PASSWORD)}&__proto__=x&constructor=y`);
    expect(ok.status).toBe(303);
    expect(setCookieLine(ok, "roster_session")).toBeTruthy();
    // Bad percent-encoding is read as text, not a 500.
    expect((await form("login=%E0%A4%A&password=%")).status).toBeLessThan(500);
  });

  it("takes multipart only where a form uploads a file (the import): elsewhere it is a 400", async () => {
    const t = createTestApp();
    await setupOwner(t, { userId: "owner" });
    const body = new FormData();
    body.set("login", "owner");
    body.set("password", PASSWORD);
    const r = await t.app.request("http://localhost:8080/login", { method: "POST", body, headers: { origin: "http://localhost:8080" } });
    expect(r.status).toBe(400);
    expect(setCookieLine(r, "roster_session")).toBeFalsy();
  });
});
