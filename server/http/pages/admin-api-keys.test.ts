import { describe, expect, it } from "vitest";
import { apiKeys } from "../../db/schema.js";
import { hx } from "./test-helpers.js";
import { orgWorld, visibleText } from "./admin-org-world.js";

const introspect = (t: Awaited<ReturnType<typeof orgWorld>>["t"], key: string) =>
  t.request("/api/v1/introspect", { token: key, json: { token: "nothing" } });

describe("/admin/api-keys", () => {
  it("is for admins: members get 403", async () => {
    const { t, memberCookie } = await orgWorld();
    expect((await t.request("/admin/api-keys", { cookie: memberCookie })).status).toBe(403);
    expect((await t.request("/admin/api-keys", { cookie: memberCookie, form: { name: "x" } })).status).toBe(403);
    expect(t.db.select().from(apiKeys).all()).toEqual([]);
  });

  it("shows a new key once, with a warning; the list never shows it again", async () => {
    const { t, adminCookie } = await orgWorld();
    const r = await t.request("/admin/api-keys", { cookie: adminCookie, form: { name: "Chat server" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const html = await r.text();
    const key = html.match(/id="new-api-key" class="mono" type="text" readonly="" value="(rk_[a-z2-7_]+)"/)?.[1];
    expect(key).toBeDefined();
    expect(visibleText(html)).toContain("this is the only time it is shown");
    // Regression: a Copy button beside it, as the setup link has (admin.js copies what data-copy names).
    expect(html).toMatch(/<div class="copy-field"><input id="new-api-key"[^>]*><button type="button" class="btn btn-secondary js-only" data-copy="#new-api-key" data-copied="Copied">Copy<\/button><\/div>/);
    const ja = await (await t.request("/admin/api-keys", { cookie: `${adminCookie}; roster_lang=ja`, form: { name: "Bot" } })).text();
    expect(ja).toContain('data-copy="#new-api-key" data-copied="コピーしました">コピー</button>');

    const list = await (await t.request("/admin/api-keys", { cookie: adminCookie })).text();
    expect(list).not.toContain(key!);
    expect(list).not.toContain(key!.slice(-20));
    expect(visibleText(list)).toMatch(/Chat server ada \d+ Jan 2026, 09:00 UTC Never Revoke/);
    // Used once by a program: the list says when.
    expect((await introspect(t, key!)).status).toBe(200);
    expect(visibleText(await (await t.request("/admin/api-keys", { cookie: adminCookie })).text())).toMatch(/Chat server ada (\d+ Jan 2026, 09:00 UTC ){2}Revoke/);
  });

  it("asks for a name", async () => {
    const { t, adminCookie } = await orgWorld();
    const r = await t.request("/admin/api-keys", { cookie: adminCookie, headers: hx, form: { name: " " } });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toMatch(/^<section id="api-keys"/);
    expect(html).toContain('id="api-key-name-error"');
  });

  it("revokes a key (POST): programs using it stop at once", async () => {
    const { t, adminCookie } = await orgWorld();
    const html = await (await t.request("/admin/api-keys", { cookie: adminCookie, form: { name: "Bot" } })).text();
    const key = html.match(/value="(rk_[a-z2-7_]+)"/)![1]!;
    const id = t.db.select().from(apiKeys).get()!.id;
    expect(html).toContain(`action="/admin/api-keys/${id}/revoke"`);
    const r = await t.request(`/admin/api-keys/${id}/revoke`, { cookie: adminCookie, form: {} });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/admin/api-keys?done=revoked");
    expect((await introspect(t, key)).status).toBe(401);
    const after = visibleText(await (await t.request("/admin/api-keys?done=revoked", { cookie: adminCookie })).text());
    expect(after).toContain("The key is revoked");
    expect(after).toContain("No API keys yet.");
    expect((await t.request(`/admin/api-keys/${id}/revoke`, { cookie: adminCookie, headers: hx, form: {} })).status).toBe(404);
  });

  it("shows an admin the owner's key without a Revoke button (only the owner may), and the owner with one", async () => {
    const { t, ownerCookie, adminCookie } = await orgWorld();
    await t.request("/admin/api-keys", { cookie: ownerCookie, form: { name: "Owner's bot" } });
    const id = t.db.select().from(apiKeys).get()!.id;
    const forAdmin = await (await t.request("/admin/api-keys", { cookie: adminCookie })).text();
    expect(visibleText(forAdmin)).toContain("Owner's bot owner");
    expect(forAdmin).not.toContain(`/admin/api-keys/${id}/revoke`);
    expect(visibleText(forAdmin)).toContain("The owner's key: only the owner revokes it");
    expect((await t.request(`/admin/api-keys/${id}/revoke`, { cookie: adminCookie, form: {} })).status).toBe(403);
    const forOwner = await (await t.request("/admin/api-keys", { cookie: ownerCookie })).text();
    expect(forOwner).toContain(`action="/admin/api-keys/${id}/revoke"`);
  });
});
