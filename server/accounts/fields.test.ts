import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { accounts } from "../db/schema.js";
import { pageLogin } from "../http/pages/test-helpers.js";
import { createTestApp, ORIGIN, registerMember, setupOwner } from "../test/harness.js";
import { characters, nicknameField, profileSchema, textField } from "./fields.js";
import { loginSchema } from "./login.js";

describe("free text (names, places, messages)", () => {
  it("counts characters as people do: 64 emoji, kanji or family emoji are a 64-character nickname", () => {
    for (const ch of ["😀", "田", "👨‍👩‍👧", "👍🏽", "🇯🇵", "か\u3099"]) {
      expect(characters(ch), ch).toBe(1);
      expect(nicknameField.safeParse(ch.repeat(64)).success, ch).toBe(true);
      expect(nicknameField.safeParse(ch.repeat(65)).success, ch).toBe(false);
    }
    expect(characters("Ann")).toBe(3);
  });

  it("says which mistake a required text made: empty, or too long", () => {
    const name = textField("field.tooLong", { min: 1, max: 5, empty: "field.required" });
    expect(name.safeParse("   ").error?.issues[0]?.message).toBe("field.required");
    expect(name.safeParse("abcdef").error?.issues[0]?.message).toBe("field.tooLong");
  });

  it("refuses control characters, line breaks in one line, lone surrogates and direction overrides, with their own message", () => {
    const one = textField("nickname.invalid", { max: 64 });
    for (const bad of ["a\u0000b", "Bob\n\nLog in: http://evil.example", "Evil\r\nBcc: x@y", "\u0007", "\u001b[31mred", "x\u0085y", "\ud800", "a\udfffb", "\u202Eevil\u202C txt.exe", "a\u2028b", "\uFFFD\uFFFD", "Bob\uFFFD"]) {
      const r = one.safeParse(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      expect(r.error?.issues[0]?.message, JSON.stringify(bad)).toBe("text.badCharacters");
    }
    for (const good of ["Ann", "田中 花子", "ﾀﾅｶ", "😀 party", "\u200Fשלום", "Zoë", " spaced "]) expect(one.safeParse(good).success, good).toBe(true);
    expect(one.parse("  trimmed  ")).toBe("trimmed");
  });

  it("keeps line breaks (as \\n) and tabs in multi-line text, and refuses the other controls there", () => {
    const lines = textField("field.tooLong", { max: 1000, lines: true });
    expect(lines.parse("Welcome!\r\nSee you\r\tsoon\n")).toBe("Welcome!\nSee you\n\tsoon");
    expect(lines.safeParse("a\u0000b").success).toBe(false);
    expect(lines.safeParse("a\u202Eb").success).toBe(false);
  });

  it("a log in's device name drops control characters instead of failing the log in; an avatar URL with them is refused", () => {
    expect(loginSchema.parse({ login: "ann", password: "x", device: "Chat\u0000 app\n 2\ud800" }).device).toBe("Chat app 2");
    expect(loginSchema.parse({ login: "ann", password: "x", device: "📱 Phone" }).device).toBe("📱 Phone");
    expect(profileSchema.safeParse({ avatarUrl: "https://x.example/a\u202Egpj.exe" }).success).toBe(false);
    expect(profileSchema.safeParse({ avatarUrl: "https://x.example/a.png" }).success).toBe(true);
  });
});

describe("regression: invalid Unicode and control characters through the API (an independent client's finding)", () => {
  it("a nickname of lone surrogates or with line breaks is refused (400 on the field) and nothing changes", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const m = await registerMember(t, "mia@acme.test", { userId: "mia", nickname: "Mia" });
    for (const body of ['{"nickname":"' + "\\ud800".repeat(64) + '"}', JSON.stringify({ nickname: "Bob\n\nLog in: http://evil.example/x" }), JSON.stringify({ location: "a\u0000b" })]) {
      const r = await t.request("/api/v1/me", { method: "PATCH", token: m.token, body, headers: { "content-type": "application/json" } });
      expect(r.status, body).toBe(400);
      const problem = (await r.json()) as { errors: Record<string, string> };
      expect(Object.values(problem.errors)[0]).toMatch(/control characters/);
    }
    const me = (await (await t.request("/api/v1/me", { token: m.token })).json()) as { nickname: string; location: string };
    expect(me).toMatchObject({ nickname: "Mia", location: "" });
  });

  it("an organization's name with a line break is refused", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const r = await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Evil\r\nBcc: victim@example.test" } });
    expect(r.status).toBe(400);
    expect((await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "\u0000" } })).status).toBe(400);
  });
});

describe("a value saved before the rules tightened", () => {
  it("does not stop a form that sends it back unchanged from saving the field that did change, for the person and for an admin", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const m = await registerMember(t, "mia@acme.test", { userId: "mia" });
    t.db.$client.prepare("UPDATE accounts SET nickname = ?, status_message = ? WHERE user_id = 'mia'").run("Mia\tSato", "line one\nline two");
    const all = { nickname: "Mia\tSato", statusMessage: "line one\nline two", groupName: "", avatarUrl: "" };
    const mine = await t.request("/api/v1/me", { method: "PATCH", token: m.token, json: { ...all, location: "Kyoto" } });
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ location: "Kyoto", nickname: "Mia\tSato" });
    const byAdmin = await t.request(`/api/v1/admin/users/${m.user.id}`, { method: "PATCH", token: owner.token, json: { ...all, location: "Osaka" } });
    expect(byAdmin.status).toBe(200);
    // Changed to another value with the same mistake, it is judged.
    expect((await t.request("/api/v1/me", { method: "PATCH", token: m.token, json: { nickname: "Mia\tS." } })).status).toBe(400);
  });
});

describe("regression: bytes that were not UTF-8 (hostile review, stop 14)", () => {
  it("a profile form sent as %C0%80 is refused with the broken-characters message, not stored as \"\uFFFD\uFFFD\"", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const r = await t.request("/api/v1/me", { method: "PATCH", token: owner.token, body: '{"nickname":"\uFFFD\uFFFD"}', headers: { "content-type": "application/json" } });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: "validation_failed", errors: { nickname: expect.stringMatching(/broken characters/) } });
    // The page's form, as the bytes came: "%C0%80" is not UTF-8 and reads as U+FFFD.
    const cookie = await pageLogin(t, "owner");
    const form = await t.request("/account/profile", { body: "nickname=%C0%80&language=en", cookie, headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN } });
    expect(form.status).toBe(400);
    expect(t.db.select().from(accounts).where(eq(accounts.id, owner.user.id)).get()?.nickname).not.toContain("\uFFFD");
  });
});
