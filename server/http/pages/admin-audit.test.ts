import { describe, expect, it } from "vitest";
import { audit } from "../../admin/audit.js";
import { DAY } from "../../clock.js";
import { auditLog } from "../../db/schema.js";
import { HOSTILE } from "./test-helpers.js";
import { orgWorld, visibleText } from "./admin-org-world.js";

type World = Awaited<ReturnType<typeof orgWorld>>;

/** Entries written as the services write them, with an action, an IP and a detail of our choosing. */
function write(w: World, n: number, e: { action: string; ip?: string; label?: string; detail?: Record<string, unknown> }) {
  for (let i = 0; i < n; i++) {
    w.t.db.transaction((tx) => audit(tx, w.t.deps, { action: e.action, actor: { id: "a1", label: e.label ?? "robot" }, ip: e.ip ?? "10.0.0.9", detail: e.detail ?? { i } }));
  }
}

const count = (w: World) => w.t.db.select().from(auditLog).all().length;

describe("/admin/audit", () => {
  it("is for admins: members get 403", async () => {
    const { t, memberCookie } = await orgWorld();
    expect((await t.request("/admin/audit", { cookie: memberCookie })).status).toBe(403);
  });

  it("shows the entries newest first with time, actor, action, target, IP and the detail as compact JSON", async () => {
    const w = await orgWorld();
    write(w, 1, { action: "test.thing", detail: { reason: HOSTILE[0], n: 1 } });
    const html = await (await w.t.request("/admin/audit", { cookie: w.ownerCookie })).text();
    const text = visibleText(html);
    expect(text).toContain(`Chain verified: ${count(w)} entries.`);
    // When it was checked: the check is kept a minute, so a newer entry may not be counted yet.
    expect(text).toContain("Last checked: 15 Jan 2026, 09:00 UTC");
    expect(text).toMatch(/#\d+ 15 Jan 2026, 09:00 UTC robot test\.thing — 10\.0\.0\.9 \{"reason":"<script>alert\(1\)<\/script>","n":1\}/);
    expect(html).not.toContain(HOSTILE[0]);
    // Newest first: the entry just written leads the table.
    expect(html.match(/<tr id="audit-(\d+)"/)?.[1]).toBe(String(count(w)));
  });

  it("filters by action prefix, who, IP and dates", async () => {
    const w = await orgWorld();
    write(w, 2, { action: "test.alpha", ip: "10.1.1.1", label: "alice" });
    write(w, 3, { action: "test.beta", ip: "10.2.2.2", label: "bob" });
    w.t.clock.advance(3 * DAY);
    write(w, 1, { action: "test.gamma", ip: "10.2.2.2", label: "bob" });
    const get = async (q: string) => visibleText(await (await w.t.request(`/admin/audit?${q}`, { cookie: w.ownerCookie })).text());
    expect(await get("action=test.")).toContain("Matching entries: 6");
    expect(await get("action=test.b")).toContain("Matching entries: 3");
    expect(await get("action=test.&who=alice")).toContain("Matching entries: 2");
    expect(await get("ip=10.2.2.2")).toContain("Matching entries: 4");
    expect(await get("action=test.&from=2026-01-16")).toContain("Matching entries: 1");
    expect(await get("action=test.&to=2026-01-15")).toContain("Matching entries: 5");
    // Empty fields are no filter; the form keeps what was typed.
    const html = await (await w.t.request("/admin/audit?action=test.b&who=&ip=&from=&to=", { cookie: w.ownerCookie })).text();
    expect(html).toContain('name="action" type="text" value="test.b"');
    expect(visibleText(html)).toContain("Matching entries: 3");
  });

  it("says which field is wrong for a date that is not one", async () => {
    const w = await orgWorld();
    const r = await w.t.request("/admin/audit?from=yesterday", { cookie: w.ownerCookie });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="f-from-error"');
    expect(html).toContain('value="yesterday"');
  });

  it("pages with a cursor, keeping the filters", async () => {
    const w = await orgWorld();
    write(w, 60, { action: "test.bulk" });
    const html = await (await w.t.request("/admin/audit?action=test.bulk", { cookie: w.ownerCookie })).text();
    expect(html.match(/<tr id="audit-/g)?.length).toBe(50);
    const next = html.match(/href="(\/admin\/audit\?action=test\.bulk&amp;cursor=[^"]+)" rel="next"/)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toBeDefined();
    const second = await (await w.t.request(next!, { cookie: w.ownerCookie })).text();
    expect(second.match(/<tr id="audit-/g)?.length).toBe(10);
    expect(second).not.toContain('rel="next"');
    expect(second).toContain('href="/admin/audit?action=test.bulk"');
  });

  it("shows a BROKEN banner when an entry was changed behind its back", async () => {
    const w = await orgWorld();
    write(w, 3, { action: "test.chain" });
    const seq = w.t.db.$client.prepare("SELECT seq FROM audit_log WHERE action = 'test.chain' ORDER BY seq LIMIT 1").get() as { seq: number };
    w.t.db.$client.prepare("UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = ?").run(seq.seq);
    const html = await (await w.t.request("/admin/audit", { cookie: w.adminCookie })).text();
    const text = visibleText(html);
    expect(text).toContain(`Chain BROKEN at entry #${seq.seq}`);
    expect(text).toContain("This entry was changed after it was written.");
    expect(text).toContain(`The ${seq.seq - 1} entries before it are intact.`);
    expect(html).toContain('class="alert alert-error ao-chain" role="alert"');

    // A removed entry breaks the chain at the one after it.
    const w2 = await orgWorld();
    write(w2, 3, { action: "test.chain" });
    const first = w2.t.db.$client.prepare("SELECT seq FROM audit_log WHERE action = 'test.chain' ORDER BY seq LIMIT 1").get() as { seq: number };
    w2.t.db.$client.prepare("DELETE FROM audit_log WHERE seq = ?").run(first.seq);
    const text2 = visibleText(await (await w2.t.request("/admin/audit", { cookie: w2.ownerCookie })).text());
    expect(text2).toContain(`Chain BROKEN at entry #${first.seq + 1}`);
    expect(text2).toContain("An entry before it was removed or changed.");
  });

  it("labels actions in the page's language, keeping the code; an unknown action (an older version's) shows its code", async () => {
    const w = await orgWorld();
    write(w, 1, { action: "admin.users_exported" });
    // As an older (or newer) version may have written it: an action with no label here.
    w.t.db.transaction((tx) => audit(tx, w.t.deps, { action: "legacy.thing_done", ip: "10.0.0.7" }));
    const ja = await (await w.t.request("/admin/audit", { cookie: `${w.ownerCookie}; roster_lang=ja` })).text();
    expect(ja).toContain('<span class="audit-label">ユーザーをエクスポート</span> <code class="audit-code muted">admin.users_exported</code>');
    expect(ja).toContain('<code class="audit-code">legacy.thing_done</code>');
    expect(ja).not.toContain("audit.action.");
    const en = visibleText(await (await w.t.request("/admin/audit", { cookie: w.ownerCookie, headers: { "accept-language": "en" } })).text());
    expect(en).toContain("Users exported admin.users_exported");
    expect(en).toContain(" legacy.thing_done ");
    // The filter still takes codes.
    expect(visibleText(await (await w.t.request("/admin/audit?action=legacy.", { cookie: w.ownerCookie })).text())).toContain("Matching entries: 1");
  });
});
