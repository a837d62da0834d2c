import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { testConfig } from "../../config.js";
import { mailOutbox } from "../../db/schema.js";
import { newId } from "../../ids.js";
import { smtpTransport } from "../../mail/transports.js";
import { createTestApp, PASSWORD, type TestApp } from "../../test/harness.js";
import { startUpstream, type Upstream } from "../../test/smtp-upstream.js";
import { HOSTILE, hx, pageLogin } from "./test-helpers.js";
import { orgWorld, visibleText } from "./admin-org-world.js";
import { linksIn } from "./admin-mail.js";

const mailTo = (t: TestApp, to: string) => t.db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).get()!;
const setStatus = (t: TestApp, id: string, status: string, lastError: string | null = null) =>
  t.db.$client.prepare("UPDATE mail_outbox SET status = ?, attempts = 3, last_error = ?, last_response = ? WHERE id = ?").run(status, lastError, lastError, id);

/** A message as the relay stores it, or any row the pages must show as text. */
function insertMail(t: TestApp, o: { to: string; subject: string; raw?: string; status?: "queued" | "failed" }) {
  const id = newId();
  const now = t.clock.now();
  t.db.insert(mailOutbox).values({ id, kind: o.raw ? "relay" : "test", fromAddress: "chat@acme.test", toAddress: o.to, subject: o.subject, text: o.raw ? "" : "Hello", html: null, raw: o.raw ? Buffer.from(o.raw) : null, status: o.status ?? "queued", createdAt: now, nextAttemptAt: now }).run();
  return id;
}

/** Acme (owner, admin ada, member mia) and Globex with its own admin gabe, who must see none of Acme's mail. */
async function twoOrgs() {
  const w = await orgWorld();
  const org = await w.t.request("/api/v1/admin/organizations", { token: w.owner.token, json: { name: "Globex", domains: ["globex.test"] } });
  const globex = (await org.json()) as { id: string };
  const made = await w.t.request("/api/v1/admin/users", { token: w.owner.token, json: { type: "admin", userId: "gabe", email: "gabe@globex.test", password: PASSWORD, organizationId: globex.id } });
  if (made.status !== 201) throw new Error(`gabe: ${made.status} ${await made.text()}`);
  return { ...w, gabeCookie: await pageLogin(w.t, "gabe") };
}

describe("/admin/mail", () => {
  it("lists the confirmation mail of a registered member with its state, and the counts by state", async () => {
    const { t, adminCookie } = await orgWorld();
    const r = await t.request("/admin/mail", { cookie: adminCookie });
    expect(r.status).toBe(200);
    const text = visibleText(await r.text());
    expect(text).toMatch(/mia@acme\.test Confirm your email address Address confirmation Queued 0 — /);
    // The test server captures mail (nothing is sent): the tile of what went through says so.
    expect(text).toMatch(/\d+ All \d+ Queued 0 Sending 0 Captured 0 Retrying 0 Failed/);
    // The test form is addressed to the admin unless they enter another address.
    expect(await (await t.request("/admin/mail", { cookie: adminCookie })).text()).toMatch(/id="mail-test-to" name="to" type="email" value="ada@acme\.test"/);
  });

  it("is for admins: members get 403, visitors go to log in", async () => {
    const { t, memberCookie } = await orgWorld();
    expect((await t.request("/admin/mail", { cookie: memberCookie })).status).toBe(403);
    const id = mailTo(t, "mia@acme.test").id;
    for (const path of [`/admin/mail/${id}`, `/admin/mail/${id}/html`]) expect((await t.request(path, { cookie: memberCookie })).status).toBe(403);
    expect((await t.request(`/admin/mail/${id}/retry`, { cookie: memberCookie, form: {} })).status).toBe(403);
    expect((await t.request("/admin/mail/test", { cookie: memberCookie, form: { to: "x@acme.test" } })).status).toBe(403);
    const visitor = await t.request("/admin/mail?status=failed");
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get("location")).toBe(`/login?next=${encodeURIComponent("/admin/mail?status=failed")}`);
  });

  it("keeps an admin of another organization out of this one's mail (404), in the list and in full", async () => {
    const { t, gabeCookie, adminCookie } = await twoOrgs();
    const id = mailTo(t, "mia@acme.test").id;
    expect(visibleText(await (await t.request("/admin/mail", { cookie: gabeCookie })).text())).not.toContain("mia@acme.test");
    for (const path of [`/admin/mail/${id}`, `/admin/mail/${id}/html`]) expect((await t.request(path, { cookie: gabeCookie })).status).toBe(404);
    setStatus(t, id, "failed", "550 5.1.1 No such user");
    const retry = await t.request(`/admin/mail/${id}/retry`, { cookie: gabeCookie, form: {} });
    expect(retry.status).toBe(404);
    expect(mailTo(t, "mia@acme.test").status).toBe("failed");
    expect((await t.request(`/admin/mail/${id}`, { cookie: adminCookie })).status).toBe(200);
  });

  it("filters by state and recipient: htmx gets the results alone and a clean URL for the history", async () => {
    const { t, adminCookie } = await orgWorld();
    const r = await t.request("/admin/mail?status=queued&to=MIA&cursor=", { cookie: adminCookie, headers: hx });
    const html = await r.text();
    expect(html).toMatch(/^<div id="mail-results"/);
    expect(r.headers.get("hx-push-url")).toBe("/admin/mail?status=queued&to=MIA");
    expect(visibleText(html)).toContain("mia@acme.test");
    expect(visibleText(html)).not.toContain("ada@acme.test");
    const none = await (await t.request("/admin/mail?status=failed", { cookie: adminCookie, headers: hx })).text();
    expect(visibleText(none)).toContain("No mail matches.");
    // A state the queue does not know is no filter rather than an error page.
    expect((await t.request("/admin/mail?status=bogus", { cookie: adminCookie })).status).toBe(200);
  });

  it("pages with Load more and the total", async () => {
    const { t, ownerCookie } = await orgWorld();
    for (let i = 0; i < 55; i++) insertMail(t, { to: `bulk${i}@acme.test`, subject: `Bulk ${i}` });
    const total = t.db.select().from(mailOutbox).all().length;
    const html = await (await t.request("/admin/mail", { cookie: ownerCookie })).text();
    expect(visibleText(html)).toContain(`Load more (50 of ${total} shown)`);
    const next = html.match(/hx-get="(\/admin\/mail\/rows\?[^"]+)"/)?.[1]?.replace(/&amp;/g, "&");
    const rows = await (await t.request(next!, { cookie: ownerCookie, headers: hx })).text();
    expect(rows).toMatch(/^<tr id="mail-/);
    expect(rows.match(/<tr id="mail-/g)).toHaveLength(total - 50);
    expect(rows).not.toContain("Load more");
    // Without htmx the rows' URL shows the page they belong to.
    expect((await t.request(next!, { cookie: ownerCookie })).status).toBe(303);
  });

  it("retries a failed message: it is queued again, and the row says so in place", async () => {
    const { t, adminCookie } = await orgWorld();
    const id = mailTo(t, "mia@acme.test").id;
    setStatus(t, id, "failed", "550 5.1.1 No such user");
    const list = visibleText(await (await t.request("/admin/mail", { cookie: adminCookie })).text());
    expect(list).toMatch(/mia@acme\.test .* Failed 3 550 5\.1\.1 No such user — Retry now/);
    // Its name starts with the words on it (WCAG 2.5.3), then says which mail.
    const listHtml = await (await t.request("/admin/mail", { cookie: adminCookie })).text();
    expect(listHtml).toContain('aria-label="Retry now: mail to mia@acme.test"');
    const ja = await (await t.request("/admin/mail", { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(ja).toMatch(/aria-label="今すぐ再送：mia@acme.test 宛てのメール"[^>]*>今すぐ再送<\/button>/);

    const r = await t.request(`/admin/mail/${id}/retry`, { cookie: adminCookie, form: {}, headers: hx });
    expect(r.status).toBe(200);
    expect(r.headers.get("hx-trigger")).toBe("mail-retried");
    const row = await r.text();
    expect(row).toMatch(new RegExp(`^<tr id="mail-${id}">`));
    expect(visibleText(row)).toContain("Queued");
    expect(row).not.toContain("Retry now");
    expect(mailTo(t, "mia@acme.test").status).toBe("queued");

    // Without JavaScript: back to where the button was, with a notice.
    setStatus(t, id, "deferred", "451 4.3.0 Try again later");
    const plain = await t.request(`/admin/mail/${id}/retry`, { cookie: adminCookie, form: { back: "detail" } });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe(`/admin/mail/${id}?done=retried`);
    expect(visibleText(await (await t.request(`/admin/mail/${id}?done=retried`, { cookie: adminCookie })).text())).toContain("The message is queued again");
  });
});

describe("capture mode", () => {
  it("says on the mail page that nothing leaves the server, and in one line on every other admin page", async () => {
    const { t, adminCookie } = await orgWorld();
    const mail = visibleText(await (await t.request("/admin/mail", { cookie: adminCookie })).text());
    expect(mail).toContain("Mail is captured, not delivered Nothing leaves this server");
    expect(mail).toContain("set ROSTER_SMTP_URL");
    expect(mail).not.toContain("nothing leaves this server until ROSTER_SMTP_URL is set");
    for (const path of ["/admin", "/admin/users", "/admin/audit"]) {
      const html = await (await t.request(path, { cookie: adminCookie })).text();
      expect(html).toMatch(/<p class="mail-capture-line" role="note"><span>Mail is captured, not delivered: nothing leaves this server until ROSTER_SMTP_URL is set\.<\/span> <a href="\/admin\/mail">/);
    }
    const ja = await (await t.request("/admin/users", { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(ja).toContain("メールは保存されるだけで配信されません。");
  });

  it("marks captured mail as captured, not sent, in both languages, with no mail server's answer", async () => {
    const { t, adminCookie } = await orgWorld();
    const mail = t.mailbox.lastMessage("mia@acme.test");
    t.db.update(mailOutbox).set({ status: "sent", transport: "capture", lastResponse: "captured, not sent", attempts: 1 }).where(eq(mailOutbox.id, mail!.id)).run();
    const en = visibleText(await (await t.request("/admin/mail", { cookie: adminCookie })).text());
    expect(en).toMatch(/mia@acme\.test Confirm your email address Address confirmation Captured 1 — /);
    const ja = await (await t.request("/admin/mail", { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(visibleText(ja)).toContain("保存のみ");
    expect(ja).not.toContain("captured, not sent");
    const detail = await (await t.request(`/admin/mail/${mail!.id}`, { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(visibleText(detail)).toContain("保存のみ");
    expect(detail).not.toContain("captured, not sent");
  });

  it("regression: the counts and the message's time say captured, not sent, as its rows do", async () => {
    const { t, adminCookie } = await orgWorld();
    const mail = t.mailbox.lastMessage("mia@acme.test");
    t.db.update(mailOutbox).set({ status: "sent", transport: "capture", sentAt: t.clock.now(), attempts: 1 }).where(eq(mailOutbox.id, mail!.id)).run();
    const ja = `${adminCookie}; roster_lang=ja`;
    expect(visibleText(await (await t.request("/admin/mail", { cookie: adminCookie })).text())).toMatch(/\d+ All \d+ Queued 0 Sending 1 Captured 0 Retrying 0 Failed/);
    const jaList = visibleText(await (await t.request("/admin/mail", { cookie: ja })).text());
    expect(jaList).toMatch(/すべて \d+ 待機中 0 送信中 1 保存のみ 0 再試行中 0 失敗/);
    expect(jaList).not.toContain("送信済み");
    // The tiles reload themselves after a retry or a test mail: the same words then.
    expect(visibleText(await (await t.request("/admin/mail/counts", { cookie: ja, headers: hx })).text())).toContain("1 保存のみ");
    const detail = visibleText(await (await t.request(`/admin/mail/${mail!.id}`, { cookie: ja })).text());
    expect(detail).toMatch(/保存日時 \d/);
    expect(detail).not.toContain("送信日時");
    expect(visibleText(await (await t.request(`/admin/mail/${mail!.id}`, { cookie: adminCookie })).text())).toMatch(/Delivery Captured \(not sent\) Captured \d/);
  });

  it("says nothing of the kind when mail is delivered", async () => {
    const t = createTestApp({ config: { mail: { ...testConfig().mail, transport: "smtp", smtpUrl: "smtp://127.0.0.1:1" } } });
    const { adminCookie } = await orgWorld(t);
    for (const path of ["/admin/mail", "/admin/users"]) expect(await (await t.request(path, { cookie: adminCookie })).text()).not.toContain("mail-capture");
    // Delivered mail is sent mail: the tile and the message's time say so.
    const m = mailTo(t, "mia@acme.test");
    t.db.update(mailOutbox).set({ status: "sent", transport: "smtp", sentAt: t.clock.now(), lastResponse: "250 OK", attempts: 1 }).where(eq(mailOutbox.id, m.id)).run();
    expect(visibleText(await (await t.request("/admin/mail", { cookie: adminCookie })).text())).toMatch(/\d+ All \d+ Queued 0 Sending 1 Sent 0 Retrying 0 Failed/);
    expect(visibleText(await (await t.request(`/admin/mail/${m.id}`, { cookie: `${adminCookie}; roster_lang=ja` })).text())).toMatch(/送信日時 \d/);
  });
});

describe("/admin/mail/:id", () => {
  it("shows the headers, the text in a <pre> with its link to copy (not to click), and the HTML in a sandboxed frame", async () => {
    const { t, adminCookie } = await orgWorld();
    const m = mailTo(t, "mia@acme.test");
    const link = t.mailbox.linkIn(m);
    const html = await (await t.request(`/admin/mail/${m.id}`, { cookie: adminCookie })).text();
    const text = visibleText(html);
    expect(text).toContain("From Roster <no-reply@roster.test> To mia@acme.test Subject Confirm your email address Kind Address confirmation Queued");
    expect(text).toContain("State Queued Tries 0 Delivery Not tried yet Next try");
    expect(html).toMatch(/<pre class="mail-pre mail-text" lang="en">[^<]*verify-email\?token=/);
    expect(html).toContain(`value="${link}" readonly="" class="mono"`);
    expect(html).toContain('data-copy="#mail-link-0"');
    expect(html).not.toContain(`href="${link}"`);
    expect(html).toContain(`<iframe class="mail-frame" sandbox="" src="/admin/mail/${m.id}/html" referrerpolicy="no-referrer"`);
  });

  it("marks a mail in the other language as such, so a screen reader reads it with the right voice", async () => {
    const { t, adminCookie } = await orgWorld();
    // A registration request written in Japanese, read by an admin whose pages are in English.
    await t.request("/admin/invitations", { cookie: adminCookie, form: { email: "hanako@x.test", type: "general", language: "ja" } });
    const m = mailTo(t, "hanako@x.test");
    const html = await (await t.request(`/admin/mail/${m.id}`, { cookie: adminCookie })).text();
    expect(html).toContain('<html lang="en"');
    expect(html).toMatch(/<h1 lang="ja">「Acme」への参加のご案内<\/h1>/);
    expect(html).toMatch(/<pre class="mail-pre mail-text" lang="ja">/);
  });

  it("serves the HTML part with its own strict headers, while pages keep the app's", async () => {
    const { t, adminCookie } = await orgWorld();
    const m = mailTo(t, "mia@acme.test");
    const frame = await t.request(`/admin/mail/${m.id}/html`, { cookie: adminCookie });
    expect(frame.status).toBe(200);
    expect(frame.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; frame-ancestors 'self'; sandbox");
    expect(frame.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(frame.headers.get("cache-control")).toBe("no-store");
    expect(frame.headers.get("x-content-type-options")).toBe("nosniff");
    const body = await frame.text();
    expect(body).toContain("verify-email?token=");
    // Its links cannot act as the admin: `_blank` needs allow-popups, which the sandbox withholds.
    expect(body).toMatch(/<head[^>]*><base target="_blank">/);

    for (const path of ["/admin/mail", `/admin/mail/${m.id}`, "/login"]) {
      const r = await t.request(path, { cookie: adminCookie });
      const csp = r.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain("unsafe-inline");
      expect(r.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("shows a relayed message's source (its first 200 KB) instead of parts", async () => {
    const { t, ownerCookie } = await orgWorld();
    const raw = `From: chat@acme.test\r\nTo: mia@acme.test\r\nSubject: Mention\r\n\r\n${"x".repeat(300 * 1024)}`;
    const id = insertMail(t, { to: "mia@acme.test", subject: "Mention", raw });
    const html = await (await t.request(`/admin/mail/${id}`, { cookie: ownerCookie })).text();
    expect(html).toContain('<pre class="mail-pre mail-raw">From: chat@acme.test');
    expect(html).not.toContain("<iframe");
    expect(visibleText(html)).toContain(`The first 200 KB of ${Math.ceil(Buffer.byteLength(raw) / 1024)} KB are shown.`);
    expect(html.length).toBeLessThan(260 * 1024);
    expect((await t.request(`/admin/mail/${id}/html`, { cookie: ownerCookie })).status).toBe(404);
  });

  it.each(HOSTILE)("renders a hostile subject and recipient (%s) as text", async (evil) => {
    const { t, ownerCookie } = await orgWorld();
    const id = insertMail(t, { to: `${evil}@acme.test`, subject: evil, status: "failed" });
    const pages = [
      await (await t.request("/admin/mail", { cookie: ownerCookie })).text(),
      await (await t.request(`/admin/mail?to=${encodeURIComponent(evil)}`, { cookie: ownerCookie, headers: hx })).text(),
      await (await t.request(`/admin/mail/${id}`, { cookie: ownerCookie })).text(),
      await (await t.request(`/admin/mail/${id}/retry`, { cookie: ownerCookie, form: {}, headers: hx })).text(),
    ];
    for (const html of pages) {
      expect(html).not.toContain("<script>alert(1)</script>");
      expect(html).not.toContain("<img src=x");
      expect(visibleText(html)).toContain(evil);
    }
  });
});

describe("send a test mail", () => {
  let u: Upstream;
  let t: TestApp;
  let adminCookie: string;
  beforeAll(async () => {
    u = await startUpstream();
    t = createTestApp({ mailTransport: smtpTransport({ url: u.url }) });
    t.worker!.start();
    ({ adminCookie } = await orgWorld(t));
  });
  afterAll(async () => {
    await t.worker?.stop();
    await u.close();
  });

  it("shows the mail server's answer in place, and the queue reloads", async () => {
    const r = await t.request("/admin/mail/test", { cookie: adminCookie, form: { to: "it@acme.test" }, headers: hx });
    expect(r.status).toBe(200);
    expect(r.headers.get("hx-trigger")).toBe("mail-changed");
    const html = await r.text();
    expect(html).toMatch(/^<section id="mail-test"/);
    expect(visibleText(html)).toMatch(/The test mail to it@acme\.test was accepted\. The mail server answered: 250 /);
    expect(u.received.some((m) => m.to.includes("it@acme.test"))).toBe(true);

    u.setReply(550);
    const refused = visibleText(await (await t.request("/admin/mail/test", { cookie: adminCookie, form: { to: "no@acme.test" }, headers: hx })).text());
    u.setReply("accept");
    expect(refused).toMatch(/The test mail to no@acme\.test could not be delivered\. The mail server answered: 550/);
  });

  it("asks again for an address it cannot use, with the typed value", async () => {
    const r = await t.request("/admin/mail/test", { cookie: adminCookie, form: { to: "not an address" }, headers: hx });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="mail-test-to-error"');
    expect(html).toContain('value="not an address"');
  });
});

describe("linksIn", () => {
  it("finds each link to this server once, without trailing punctuation, and no other site's", () => {
    const text = "Open http://localhost:8080/verify-email?token=abc.\nOr http://localhost:8080/verify-email?token=abc\nNot https://evil.example/x nor http://localhost:80800/y";
    expect(linksIn(text, "http://localhost:8080/")).toEqual(["http://localhost:8080/verify-email?token=abc"]);
  });
});
