import { describe, expect, it } from "vitest";
import { putSetting } from "../../admin/settings.js";
import { accountOf, adminWorld, idOf } from "./admin-users-world.js";
import { HOSTILE, hx } from "./test-helpers.js";

const profile = {
  nickname: "Mia M.", email: "mia@acme.test", avatarUrl: "https://img.example/mia.png", groupName: " Sales / Tokyo//Team A ", gender: "female", birthDate: "1991-02-03",
  location: "Tokyo", statusMessage: "Hi", language: "ja", friendPolicy: "deny_any", level: "3", role: "7", friendingForbidden: "on",
};

describe("one account's page", () => {
  it("shows every field, userId and type read-only, and the actions that apply", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request(`/admin/users/${idOf(t, "mia")}`, { cookie: adminCookie });
    expect(r.status).toBe(200);
    const html = await r.text();
    for (const name of Object.keys(profile).concat("pushOffline")) expect(html).toContain(`name="${name}"`);
    expect(html).not.toContain('name="userId"');
    expect(html).not.toContain('name="type"');
    expect(html).toContain('<dd class="mono">mia</dd>');
    for (const label of ["Make administrator", "Disable", "End all sessions", "Delete…"]) expect(html).toContain(`>${label}<`);
    // Disabling ends every session at once: the browser asks first.
    expect(html).toMatch(/hx-confirm="Disable [^"]+\? All of their sessions end at once\."/);
    expect(html).not.toContain(">Approve<");
  });

  it("answers another organization's account with the 404 page", async () => {
    const { t, adminCookie, ginaId } = await adminWorld();
    for (const [path, init] of [
      [`/admin/users/${ginaId}`, {}],
      [`/admin/users/${ginaId}/delete`, {}],
      [`/admin/users/${ginaId}`, { form: { nickname: "x" } }],
      [`/admin/users/${ginaId}/disable`, { form: {} }],
    ] as const) {
      const r = await t.request(path, { cookie: adminCookie, ...init });
      expect(r.status, path).toBe(404);
      const html = await r.text();
      expect(html).toContain("This page does not exist.");
      // As a title, the sentence without its full stop.
      expect(html).toContain("<title>This page does not exist · ");
    }
    expect(accountOf(t, "gina")).toMatchObject({ nickname: "", status: "active" });
  });

  it("saves every field with htmx and shows the group normalised", async () => {
    const { t, adminCookie } = await adminWorld();
    const id = idOf(t, "mia");
    const r = await t.request(`/admin/users/${id}`, { form: profile, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toMatch(/^<div id="user-admin"/);
    expect(html).toContain("The account is saved.");
    expect(html).toContain('value="Sales/Tokyo/Team A"');
    expect(html).toContain("<h1 id=\"user-title\">Mia M.</h1>");
    expect(accountOf(t, "mia")).toMatchObject({
      nickname: "Mia M.", groupName: "Sales/Tokyo/Team A", gender: "female", birthDate: "1991-02-03", location: "Tokyo", language: "ja",
      friendPolicy: "deny_any", level: 3, role: 7, friendingForbidden: true, pushOffline: false, avatarUrl: "https://img.example/mia.png",
    });
  });

  it("saves without JavaScript: post, redirect, the saved notice", async () => {
    const { t, adminCookie } = await adminWorld();
    const id = idOf(t, "mia");
    const r = await t.request(`/admin/users/${id}`, { form: { ...profile, pushOffline: "on", friendingForbidden: "" }, cookie: adminCookie });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`/admin/users/${id}?done=saved`);
    expect(await (await t.request(r.headers.get("location") ?? "", { cookie: adminCookie })).text()).toContain("The account is saved.");
    expect(accountOf(t, "mia")).toMatchObject({ pushOffline: true, friendingForbidden: false });
  });

  it("shows errors at their fields with the typed values, and saves nothing", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, level: "-1", role: "" }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(400);
    const html = await r.text();
    for (const field of ["level", "role"]) expect(html).toContain(`id="f-${field}-error"`);
    expect(html).toContain('value="-1"');
    expect(html).toContain('value="Mia M."');
    // A future birth date is the service's second check (it needs today's date).
    const future = await (await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, birthDate: "2999-01-01" }, cookie: adminCookie, headers: hx })).text();
    expect(future).toContain('id="f-birthDate-error"');
    expect(future).toContain('value="2999-01-01"');
    expect(accountOf(t, "mia")?.nickname).toBe("");
  });

  it("changes the email: taken addresses are refused at the field", async () => {
    const { t, adminCookie } = await adminWorld();
    const r = await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, email: "ADA@acme.test" }, cookie: adminCookie, headers: hx });
    expect(r.status).toBe(409);
    expect(await r.text()).toContain('id="f-email-error"');
    await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, email: "mia.new@acme.test" }, cookie: adminCookie, headers: hx });
    expect(accountOf(t, "mia")).toMatchObject({ email: "mia.new@acme.test", emailVerifiedAt: null });
  });

  it.each(HOSTILE)("renders a hostile nickname %s as text", async (evil) => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request(`/admin/users/${idOf(t, "mia")}`, { form: { ...profile, nickname: evil }, cookie: adminCookie, headers: hx })).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).not.toContain("<img src=x");
  });
});

describe("an owner's account, seen by an admin who is not an owner", () => {
  const ownerNote = "Only an owner can change an owner&#39;s account.";

  it("is read-only: the note, disabled fields, no save button and no actions (they would only answer 403)", async () => {
    const { t, adminCookie } = await adminWorld();
    const id = idOf(t, "owner");
    const r = await t.request(`/admin/users/${id}`, { cookie: adminCookie, headers: hx });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(ownerNote);
    expect(html).toContain('<fieldset class="stack" disabled="">');
    expect(html).toContain('name="nickname"');
    expect(html).not.toContain("<form");
    expect(html).not.toContain('type="submit"');
    expect(html).not.toContain(">Save<");
    for (const label of ["Make administrator", "Make member", "Disable", "End all sessions", "Delete…"]) expect(html).not.toContain(`>${label}<`);
    expect(html).not.toContain(`/admin/users/${id}/delete`);
  });

  it("in Japanese", async () => {
    const { t, adminCookie } = await adminWorld();
    const html = await (await t.request(`/admin/users/${idOf(t, "owner")}`, { cookie: `${adminCookie}; roster_lang=ja` })).text();
    expect(html).toContain("オーナーのアカウントを変更できるのはオーナーだけです。");
  });

  it("the owner still sees the form and the actions", async () => {
    const { t, ownerCookie } = await adminWorld();
    const html = await (await t.request(`/admin/users/${idOf(t, "owner")}`, { cookie: ownerCookie, headers: hx })).text();
    expect(html).not.toContain(ownerNote);
    expect(html).not.toContain("disabled=");
    expect(html).toContain(`<form action="/admin/users/${idOf(t, "owner")}" method="post"`);
    expect(html).toContain('type="submit"');
    expect(html).toContain(">End all sessions<");
  });

  it("a refused post and the delete page show the note and offer nothing", async () => {
    const { t, adminCookie } = await adminWorld();
    putSetting(t.db, "deletionLocked", false);
    const id = idOf(t, "owner");
    const post = await t.request(`/admin/users/${id}`, { form: { ...profile, email: "owner@acme.test", nickname: "Taken" }, cookie: adminCookie, headers: hx });
    expect(post.status).toBe(403);
    const html = await post.text();
    expect(html).toContain(ownerNote);
    expect(html).not.toContain('type="submit"');
    expect(accountOf(t, "owner")?.nickname).not.toBe("Taken");
    const confirm = await t.request(`/admin/users/${id}/delete`, { cookie: adminCookie });
    expect(confirm.status).toBe(403);
    const page = await confirm.text();
    expect(page).toContain(ownerNote);
    expect(page).not.toContain(`action="/admin/users/${id}/delete"`);
  });
});
