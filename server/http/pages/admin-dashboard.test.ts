import { describe, expect, it } from "vitest";
import { putSetting } from "../../admin/settings.js";
import { PASSWORD } from "../../test/harness.js";
import { adminWorld } from "./admin-users-world.js";

const tile = (html: string, label: string) => new RegExp(`<span class="tile-n">(\\d+)</span><span class="tile-label">${label}</span>`).exec(html)?.[1];

describe("the admin dashboard", () => {
  it("counts the admin's organization by status and type, the mail queue by state, and the latest audit entries", async () => {
    const { t, adminCookie } = await adminWorld();
    putSetting(t.db, "registration", "approval");
    await t.request("/api/v1/auth/register", { json: { email: "ann@acme.test", password: PASSWORD } });
    await t.request("/api/v1/auth/verify-email", { json: { email: "ann@acme.test", code: t.mailbox.codeIn(t.mailbox.lastMessage("ann@acme.test")) } });
    t.db.$client.prepare("UPDATE mail_outbox SET status = 'failed' WHERE to_address = 'mia@acme.test'").run();

    const r = await t.request("/admin", { cookie: adminCookie });
    expect(r.status).toBe(200);
    const html = await r.text();
    // Acme: owner, ada, mia active; ann waiting. Globex's accounts are not counted.
    expect(html).toContain("Accounts (4)");
    expect(tile(html, "Active")).toBe("3");
    expect(tile(html, "Awaiting approval")).toBe("1");
    expect(tile(html, "Members")).toBe("2");
    expect(tile(html, "Administrators")).toBe("1");
    expect(tile(html, "Owners")).toBe("1");
    expect(html).toContain('<a href="/admin/users?status=awaiting_approval">Review them</a>');
    expect(html).toContain("Applications waiting for approval: 1.");
    // The mail queue: the mail this admin may read (the owner's is not), with its health.
    const mails = t.mailbox.sent().filter((m) => m.toAddress !== "owner@acme.test");
    expect(mails.length).toBeLessThan(t.mailbox.sent().length);
    expect(tile(html, "Failed")).toBe(String(mails.filter((m) => m.status === "failed").length));
    expect(tile(html, "Queued")).toBe(String(mails.filter((m) => m.status === "queued").length));
    expect(html).toContain("Some messages could not be delivered.");
    expect(html).toContain("Mail is captured, not delivered");
    // Nothing was sent in capture mode: the count says "Captured".
    expect(tile(html, "Captured")).toBe(String(mails.filter((m) => m.status === "sent").length));
    expect(html).not.toMatch(/<span class="tile-label">Sent<\/span>/);
    // Recent activity: ten entries at most, the newest first.
    const actions = [...html.matchAll(/<td class="col-action">.*?<code class="audit-code[^"]*">([a-z_.]+)<\/code><\/td>/g)].map((m) => m[1]);
    expect(actions).toHaveLength(10);
    expect(actions).toContain("login.succeeded");
    expect(html).toContain('<span class="audit-label">Login succeeded</span> <code class="audit-code muted">login.succeeded</code>');
    expect(html).toContain('<a href="/admin" class="current" aria-current="page">Overview</a>');
    expect(html).toContain('<span class="vh">1 waiting</span>');
  });

  it("in Japanese", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request("/admin", { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(html).toContain("メールキュー");
    expect(html).toContain("最近の操作");
    expect(html).toContain('<span class="audit-label">ログイン成功</span> <code class="audit-code muted">login.succeeded</code>');
  });
});
