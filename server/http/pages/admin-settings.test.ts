import { describe, expect, it } from "vitest";
import { getSettings } from "../../admin/settings.js";
import { countAudit } from "../../test/api.js";
import { hx } from "./test-helpers.js";
import { orgWorld, visibleText } from "./admin-org-world.js";

describe("/admin/settings", () => {
  it("is for owners only: admins and members get 403, visitors go to log in", async () => {
    const { t, adminCookie, memberCookie } = await orgWorld();
    for (const cookie of [adminCookie, memberCookie]) {
      expect((await t.request("/admin/settings", { cookie })).status).toBe(403);
      expect((await t.request("/admin/settings", { cookie, form: { serverName: "Mine", registration: "closed" } })).status).toBe(403);
      expect((await t.request("/admin/settings/deletion/unlock", { cookie, form: { confirmWord: "DELETE" } })).status).toBe(403);
    }
    expect(getSettings(t.deps)).toMatchObject({ serverName: "Roster", registration: "open", deletionLocked: true });
    const anon = await t.request("/admin/settings");
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe("/login?next=%2Fadmin%2Fsettings");
  });

  it("shows every registration policy with its explanation, and saves the settings", async () => {
    const { t, ownerCookie } = await orgWorld();
    const html = await (await t.request("/admin/settings", { cookie: ownerCookie })).text();
    for (const p of ["open", "domain", "approval", "invite", "closed"]) expect(html).toContain(`id="registration-${p}" name="registration" value="${p}"`);
    expect(html).toMatch(/value="open" checked=""/);
    expect(html).toContain("Only addresses at a domain that an organization claims may register");
    expect(html).toContain('href="/admin/settings" class="current" aria-current="page"');

    const r = await t.request("/admin/settings", { cookie: ownerCookie, form: { serverName: "Acme Chat", registration: "approval" } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/admin/settings?done=saved");
    // An unticked checkbox sends nothing: confirmation is no longer required.
    expect(getSettings(t.deps)).toMatchObject({ serverName: "Acme Chat", registration: "approval", verificationRequired: false });
    const after = await (await t.request("/admin/settings?done=saved", { cookie: ownerCookie })).text();
    expect(after).toContain("The settings are saved.");
    expect(after).toContain("<title>Server settings · Acme Chat</title>");
  });

  it("shows errors on the form with what was typed", async () => {
    const { t, ownerCookie } = await orgWorld();
    const r = await t.request("/admin/settings", { cookie: ownerCookie, form: { serverName: "  ", registration: "everyone", verificationRequired: "on" } });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="f-serverName-error"');
    expect(html).toContain('id="registration-error"');
    expect(getSettings(t.deps).registration).toBe("open");
  });

  it("unlocks deletion only when the word is typed, and locks it again in one click", async () => {
    const { t, ownerCookie } = await orgWorld();
    const locked = await (await t.request("/admin/settings", { cookie: ownerCookie })).text();
    expect(visibleText(locked)).toContain("Deleted accounts cannot be recovered.");
    expect(locked).toContain('action="/admin/settings/deletion/unlock"');

    for (const word of ["", "delete", "yes", "DELETE!"]) {
      const r = await t.request("/admin/settings/deletion/unlock", { cookie: ownerCookie, form: { confirmWord: word } });
      expect(r.status, word).toBe(400);
      const html = await r.text();
      expect(html).toContain("Type the word exactly as shown to unlock deletion.");
      // The flow stays open so the owner sees why.
      expect(html).toContain('<details class="ao-unlock" open=""');
    }
    expect(getSettings(t.deps).deletionLocked).toBe(true);

    const ok = await t.request("/admin/settings/deletion/unlock", { cookie: ownerCookie, form: { confirmWord: " DELETE " } });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/admin/settings?done=unlocked");
    expect(getSettings(t.deps).deletionLocked).toBe(false);
    expect(countAudit(t, "admin.settings_changed")).toBe(1);
    const unlocked = await (await t.request("/admin/settings?done=unlocked", { cookie: ownerCookie })).text();
    expect(unlocked).toContain('action="/admin/settings/deletion/lock"');
    expect(unlocked).not.toContain('action="/admin/settings/deletion/unlock"');

    const lock = await t.request("/admin/settings/deletion/lock", { cookie: ownerCookie, form: {} });
    expect(lock.status).toBe(303);
    expect(getSettings(t.deps).deletionLocked).toBe(true);
  });

  it("takes the word of the page's language: 「削除」 in Japanese, full-width too", async () => {
    const { t, ownerCookie } = await orgWorld();
    // The language switcher's cookie, as a browser sends it next to the session.
    const cookie = `${ownerCookie}; roster_lang=ja`;
    const html = await (await t.request("/admin/settings", { cookie })).text();
    expect(html).toContain("確認のため「削除」と入力してください");
    const r = await t.request("/admin/settings/deletion/unlock", { cookie, form: { confirmWord: "削除" } });
    expect(r.status).toBe(303);
    expect(getSettings(t.deps).deletionLocked).toBe(false);
    await t.request("/admin/settings/deletion/lock", { cookie: ownerCookie, form: {} });
    expect((await t.request("/admin/settings/deletion/unlock", { cookie: ownerCookie, form: { confirmWord: "ＤＥＬＥＴＥ" } })).status).toBe(303);
  });

  it("answers htmx with the page body only", async () => {
    const { t, ownerCookie } = await orgWorld();
    const html = await (await t.request("/admin/settings", { cookie: ownerCookie, headers: hx })).text();
    expect(html).not.toContain("<html");
    expect(html).toContain('id="registration-settings"');
  });
});
