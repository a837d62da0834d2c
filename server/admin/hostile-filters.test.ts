import { describe, expect, it } from "vitest";
import { ORIGIN } from "../test/harness.js";
import { adminWorld } from "../http/pages/admin-users-world.js";

/** Input no form of ours sends, found by a review: each once answered 500. */
describe("admin filters and forms under hostile input", () => {
  it("a NUL inside a search term lists, pages and exports like any other term", async () => {
    const { t, owner, adminCookie } = await adminWorld();
    const api = await t.request("/api/v1/admin/users?q=ad%00a", { token: owner.token });
    expect(api.status).toBe(200);
    expect(((await api.json()) as { items: { userId: string }[] }).items.map((u) => u.userId)).toEqual(["ada"]);
    expect((await t.request("/admin/users?q=ad%00a", { cookie: adminCookie })).status).toBe(200);
    const csv = await t.request("/api/v1/admin/users/export?format=csv&q=ad%00a", { token: owner.token });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("ada");
  });

  it("a group filter that breaks the naming rules is refused (400), not dropped into an unfiltered list", async () => {
    const { t, owner } = await adminWorld();
    const deep = Array.from({ length: 9 }, (_, i) => `g${i}`).join("/");
    for (const path of [`/api/v1/admin/users?group=${deep}`, `/api/v1/admin/users/export?format=csv&group=${"x".repeat(65)}`]) {
      const r = await t.request(path, { token: owner.token });
      expect(r.status, path).toBe(400);
      expect(await r.json()).toMatchObject({ code: "validation_failed", errors: { group: expect.any(String) } });
    }
  });

  it("a broken multipart body on a form page is a 400 page, not a 500", async () => {
    const { t, adminCookie, ownerCookie } = await adminWorld();
    const broken = "--x\r\nContent-Disposition: form-data; name=\"ids\"\r\n\r\nabc"; // no closing boundary
    for (const [path, cookie] of [["/admin/users/bulk", adminCookie], ["/admin/users/import", adminCookie], ["/account/profile", adminCookie], ["/admin/settings", ownerCookie]] as const) {
      const r = await t.request(path, { body: broken, cookie, headers: { "content-type": "multipart/form-data; boundary=x", origin: ORIGIN } });
      expect(r.status, path).toBe(400);
      expect(await r.text(), path).toContain("<html");
    }
  });

  it("an export, of a search or of checked rows, is in the audit log with who, format and what was asked", async () => {
    const { t, owner, adminCookie } = await adminWorld();
    expect((await t.request("/api/v1/admin/users/export?format=json&q=ada&status=active", { token: owner.token })).status).toBe(200);
    const form = new URLSearchParams([["action", "csv"], ["ids", (await t.request("/api/v1/admin/users?q=mia", { token: owner.token }).then((r) => r.json() as Promise<{ items: { id: string }[] }>)).items[0]!.id]]);
    const bulk = await t.request("/admin/users/bulk", { body: form.toString(), cookie: adminCookie, headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN } });
    expect(bulk.status).toBe(200);
    await bulk.text();
    const log = (await (await t.request("/api/v1/admin/audit?action=admin.users_exported", { token: owner.token })).json()) as { items: { actor: { label: string } | string; detail: Record<string, unknown> }[] };
    expect(log.items).toHaveLength(2);
    const details = log.items.map((e) => e.detail);
    expect(details).toContainEqual(expect.objectContaining({ format: "json", q: "ada", status: "active" }));
    expect(details).toContainEqual(expect.objectContaining({ format: "csv", ids: 1 }));
  });
});
