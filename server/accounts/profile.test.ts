import { describe, expect, it } from "vitest";
import { createTestApp, registerMember, setupOwner } from "../test/harness.js";
import { auditActions, expectJson, expectProblem, type UserBody } from "../test/api.js";

type Me = UserBody["user"];

async function member() {
  const t = createTestApp(); // the FixedClock says 2026-01-15T09:00Z
  await setupOwner(t);
  const ken = await registerMember(t, "ken@acme.test", { userId: "ken" });
  const patch = (json: unknown) => t.request("/api/v1/me", { method: "PATCH", json, token: ken.token });
  const me = async () => expectJson<Me>(await t.request("/api/v1/me", { token: ken.token }), 200);
  return { t, ken, patch, me };
}

const emoji = (n: number) => "😀".repeat(n);

describe("PATCH /api/v1/me accepts each user-editable field (SPEC §2)", () => {
  it.each<[string, unknown, unknown]>([
    ["nickname", "Ken 🍣", "Ken 🍣"],
    ["nickname", "  Ken  ", "Ken"],
    ["nickname", "", ""],
    ["nickname", "あ".repeat(64), "あ".repeat(64)],
    // Characters, not UTF-16 units: 64 emoji are 64 characters.
    ["nickname", emoji(64), emoji(64)],
    ["avatarUrl", "https://img.acme.test/ken.png", "https://img.acme.test/ken.png"],
    ["avatarUrl", "http://intranet/avatars/ken.png", "http://intranet/avatars/ken.png"],
    ["avatarUrl", "", ""],
    ["avatarUrl", `https://img.test/${"a".repeat(500 - 17)}`, `https://img.test/${"a".repeat(500 - 17)}`],
    ["groupName", "  Sales / Tokyo//Team A ", "Sales/Tokyo/Team A"],
    ["groupName", "営業部/東京", "営業部/東京"],
    ["groupName", "", ""],
    ["groupName", " / ", ""],
    ["groupName", "1/2/3/4/5/6/7/8", "1/2/3/4/5/6/7/8"],
    ["groupName", `Sales/${"x".repeat(64)}`, `Sales/${"x".repeat(64)}`],
    ["gender", "female", "female"],
    ["gender", "male", "male"],
    ["gender", "other", "other"],
    ["gender", "unknown", "unknown"],
    ["birthDate", "1990-02-28", "1990-02-28"],
    ["birthDate", "2024-02-29", "2024-02-29"],
    ["birthDate", "2026-01-15", "2026-01-15"],
    ["birthDate", null, null],
    ["birthDate", "", null],
    ["location", "Tokyo", "Tokyo"],
    ["location", "x".repeat(64), "x".repeat(64)],
    ["statusMessage", "On holiday 🏖", "On holiday 🏖"],
    ["statusMessage", emoji(140), emoji(140)],
    ["language", "ja", "ja"],
    ["language", "en-US", "en-US"],
    ["language", "zh-Hant-TW", "zh-Hant-TW"],
    ["friendPolicy", "allow_any", "allow_any"],
    ["friendPolicy", "deny_any", "deny_any"],
    ["friendPolicy", "need_confirm", "need_confirm"],
  ])("%s = %j is stored as %j", async (field, value, stored) => {
    const { t, patch, me } = await member();
    const before = (await me()) as Record<string, unknown>;
    const r = await expectJson<Me>(await patch({ [field]: value }), 200);
    expect(r).toMatchObject({ [field]: stored });
    expect(await me()).toEqual(r);
    // Text sent back as it is stored changes nothing, and nothing is audited (withoutUnchangedText).
    const sentBack = ["nickname", "avatarUrl", "groupName", "location", "statusMessage"].includes(field) && typeof value === "string" && value.trim() === before[field];
    if (sentBack) expect(auditActions(t).at(-1)).not.toBe("account.profile_updated");
    else expect(auditActions(t).at(-1)).toBe("account.profile_updated");
  });

  it.each([false, true])("messageSettings.pushOffline = %s", async (pushOffline) => {
    const { patch, me } = await member();
    await expectJson(await patch({ messageSettings: { pushOffline: !pushOffline } }), 200);
    expect((await expectJson<Me>(await patch({ messageSettings: { pushOffline } }), 200)).messageSettings).toEqual({ pushOffline });
    expect((await me()).messageSettings).toEqual({ pushOffline });
  });

  it("changes several fields at once and leaves the others as they were", async () => {
    const { patch, me } = await member();
    await patch({ location: "Osaka", statusMessage: "hi" });
    const r = await expectJson<Me>(await patch({ nickname: "Ken", gender: "male" }), 200);
    expect(r).toMatchObject({ nickname: "Ken", displayName: "Ken", gender: "male", location: "Osaka", statusMessage: "hi" });
    expect(await me()).toEqual(r);
  });
});

describe("PATCH /api/v1/me refuses invalid values with 400 naming the field", () => {
  it.each<[string, unknown]>([
    ["nickname", "x".repeat(65)],
    ["nickname", emoji(65)],
    ["avatarUrl", "javascript:alert(1)"],
    ["avatarUrl", " JavaScript:alert(1)"],
    ["avatarUrl", "data:image/png;base64,AAAA"],
    ["avatarUrl", "ftp://files.acme.test/ken.png"],
    ["avatarUrl", "not a url"],
    ["avatarUrl", `https://img.test/${"a".repeat(500 - 16)}`],
    ["groupName", "1/2/3/4/5/6/7/8/9"],
    ["groupName", `Sales/${"x".repeat(65)}`],
    ["gender", "Female"],
    ["gender", "robot"],
    ["birthDate", "2026-02-30"],
    ["birthDate", "2023-02-29"],
    ["birthDate", "1990-13-01"],
    ["birthDate", "1990-1-1"],
    ["birthDate", "01/02/1990"],
    ["birthDate", "2026-01-16"], // tomorrow, per the clock
    ["birthDate", "2999-01-01"],
    ["location", "x".repeat(65)],
    ["statusMessage", "x".repeat(141)],
    ["statusMessage", emoji(141)],
    ["language", "english"],
    ["language", "ja_JP"],
    ["language", ""],
    ["friendPolicy", "anyone"],
    ["messageSettings", { pushOffline: "no" }],
    ["messageSettings", "off"],
  ])("%s = %j", async (field, value) => {
    const { patch, me } = await member();
    const before = await me();
    const beside = field === "nickname" ? "location" : "nickname";
    const p = await expectProblem(await patch({ [field]: value, [beside]: "Changed?" }), 400, "validation_failed");
    expect(Object.keys(p.errors ?? {})).toEqual([field.startsWith("messageSettings") ? expect.stringMatching(/^messageSettings/) : field]);
    // All or nothing: the valid field beside it is not stored either.
    expect(await me()).toEqual(before);
  });
});

describe("PATCH /api/v1/me ignores what a user may not change", () => {
  it("ignores unknown fields", async () => {
    const { patch } = await member();
    const r = await expectJson<Record<string, unknown>>(await patch({ nickname: "Ken", favouriteColour: "blue" }), 200);
    expect(r).toMatchObject({ nickname: "Ken" });
    expect(r).not.toHaveProperty("favouriteColour");
  });

  it("ignores admin-only and immutable fields (type, level, role, friendingForbidden, email, userId, status…)", async () => {
    const { t, ken, patch, me } = await member();
    const before = await me();
    const r = await expectJson<Me>(
      await patch({
        type: "owner",
        level: 9,
        role: 3,
        friendingForbidden: true,
        email: "boss@acme.test",
        userId: "boss",
        status: "disabled",
        id: "someone-else",
        organization: null,
        organizationId: null,
        mustChangePassword: true,
        emailVerifiedAt: null,
        passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$x$y",
        createdAt: "2000-01-01T00:00:00.000Z",
        nickname: "Ken",
      }),
      200,
    );
    expect(r).toEqual({ ...before, nickname: "Ken", displayName: "Ken", updatedAt: t.clock.now().toISOString() });
    expect(await me()).toEqual(r);
    expect((await t.request("/api/v1/me", { token: ken.token })).status).toBe(200);
  });

  it("needs a session", async () => {
    const { t } = await member();
    await expectProblem(await t.request("/api/v1/me", { method: "PATCH", json: { nickname: "x" } }), 401, "unauthenticated");
  });
});

describe("regression: a form with several mistakes hears about all of them at once", () => {
  it("reports a future birth date together with the other invalid fields", async () => {
    const { patch } = await member();
    const body = await expectProblem(await patch({ nickname: "x".repeat(65), birthDate: "2026-01-16" }), 400, "validation_failed");
    expect(Object.keys((body as { errors: Record<string, string> }).errors).sort()).toEqual(["birthDate", "nickname"]);
  });
});
