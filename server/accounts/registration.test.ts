import { describe, expect, it } from "vitest";
import { t as translate } from "../i18n/index.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { allAccounts, expectJson, expectProblem, loginRequest, register, setSetting, type RegisterBody } from "../test/api.js";

const en = (key: string) => translate("en", key);

describe("later registrations", () => {
  it("are pending with a confirmation mail that carries a link and a 6-digit code", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const body = await expectJson<RegisterBody>(await register(t, { email: "ken@acme.test", password: PASSWORD, nickname: "Ken" }), 201);
    expect(body).toMatchObject({ verificationRequired: true, user: { status: "pending", type: "general", nickname: "Ken" } });
    const mail = t.mailbox.lastMessage("ken@acme.test");
    expect(mail?.kind).toBe("verify_email");
    expect(t.mailbox.linkIn(mail)).toMatch(/^http:\/\/localhost:8080\/verify-email\?token=[a-z2-7]+$/);
    expect(t.mailbox.codeIn(mail)).toMatch(/^\d{6}$/);
    // Not usable until confirmed.
    await expectProblem(await loginRequest(t, "ken@acme.test", PASSWORD), 403, "email_not_verified");
  });

  it.each([
    ["a domain an organization claims joins it", "ken@acme.test", "Acme"],
    ["any other domain is a personal account", "ken@example.test", null],
    ["the domain is compared case-insensitively", "ken@ACME.Test", "Acme"],
  ])("%s", async (_, email, orgName) => {
    const t = createTestApp();
    await setupOwner(t);
    const body = await expectJson<RegisterBody>(await register(t, { email, password: PASSWORD }), 201);
    expect(body.user.organization?.name ?? null).toBe(orgName);
  });

  it.each([
    ["Taro.Yamada+chat@example.test", "taro.yamada.chat"],
    ["_-.kai@example.test", "kai"],
    ["__@example.test", "user"],
    ["x@example.test", "xuser"],
    [`${"a".repeat(40)}@example.test`, "a".repeat(28)],
  ])("derives a valid userId from %s when none is given", async (email, userId) => {
    const t = createTestApp();
    await setupOwner(t);
    const body = await expectJson<RegisterBody>(await register(t, { email, password: PASSWORD }), 201);
    expect(body.user.userId).toBe(userId);
    expect(body.user.userId).toMatch(/^[a-z0-9][a-z0-9._-]{2,31}$/);
  });

  it("appends a number to a derived userId that is taken", async () => {
    const t = createTestApp();
    await setupOwner(t, { userId: "sam" });
    const ids: string[] = [];
    for (const domain of ["a.test", "b.test", "c.test"]) {
      ids.push((await expectJson<RegisterBody>(await register(t, { email: `Sam@${domain}`, password: PASSWORD }), 201)).user.userId);
    }
    expect(ids).toEqual(["sam2", "sam3", "sam4"]);
  });

  it("names every field to correct at once: a weak password and a taken user ID together", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const p = await expectProblem(await register(t, { email: "ken@example.test", password: "password", userId: "owner" }), 400, "weak_password");
    expect(Object.keys(p.errors ?? {}).sort()).toEqual(["password", "userId"]);
    expect(p.errors?.userId).toBe(translate("en", "error.user_id_taken"));
    // Where this caller may not register, a weak password tells nothing about who has an account.
    for (const policy of ["closed", "invite"] as const) {
      setSetting(t, "registration", policy);
      const closed = await expectProblem(await register(t, { email: "ken@example.test", password: "password", userId: "owner" }), 400, "weak_password");
      expect(Object.keys(closed.errors ?? {}), policy).toEqual(["password"]);
    }
  });

  it.each(["owner", "OWNER", " Owner ", "ｏｗｎｅｒ", "ＯＷＮＥＲ"])("refuses a userId that is taken, in any case (%j) with 409 user_id_taken", async (userId) => {
    const t = createTestApp();
    await setupOwner(t);
    const p = await expectProblem(await register(t, { email: "ken@example.test", password: PASSWORD, userId }), 409, "user_id_taken");
    expect(p.errors).toHaveProperty("userId");
    expect(allAccounts(t)).toHaveLength(1);
  });

  it.each([
    ["too short", { email: "ken@example.test", password: "short1!" }, "password.tooShort"],
    ["too long", { email: "ken@example.test", password: "x".repeat(129) }, "password.tooLong"],
    ["equal to the userId", { email: "ken@example.test", userId: "sakura.tanaka", password: "Sakura.Tanaka" }, "password.equalsUserId"],
    ["equal to the email", { email: "kenji@example.test", password: "KENJI@example.test" }, "password.equalsEmail"],
    ["a common password", { email: "ken@example.test", password: "password123" }, "password.common"],
    ["a common password in full-width characters (NFKC)", { email: "ken@example.test", password: "ｐａｓｓｗｏｒｄ１２３" }, "password.common"],
    // Regression: the userId made from the email was not compared with the password.
    ["equal to the userId derived from the email", { email: "taro.yamada@example.test", password: "taro.yamada" }, "password.equalsUserId"],
  ])("refuses a password %s with weak_password and says why", async (_, json, reason) => {
    const t = createTestApp();
    await setupOwner(t);
    const p = await expectProblem(await register(t, json), 400, "weak_password");
    expect(p.errors).toEqual({ password: en(reason) });
    expect(allAccounts(t)).toHaveLength(1);
    expect(t.mailbox.sent()).toHaveLength(0);
  });

  it("regression: stores a full-width userId and email (input method) in ASCII, the email's case kept", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const body = await expectJson<RegisterBody>(
      await register(t, { email: "Ｋｅｎ．Ｓａｔｏ＠ａｃｍｅ．ｔｅｓｔ", userId: "ｋｅｎ．ｓａｔｏ＿０１", password: PASSWORD, nickname: "ｹﾝ" }),
      201,
    );
    // The domain is recognised once normalised; the nickname is free text and stays as written.
    expect(body.user).toMatchObject({ userId: "ken.sato_01", email: "Ken.Sato@acme.test", nickname: "ｹﾝ", organization: { name: "Acme" } });
    expect(allAccounts(t).find((a) => a.userId === "ken.sato_01")).toMatchObject({ email: "Ken.Sato@acme.test", emailLower: "ken.sato@acme.test" });
    const code = t.mailbox.codeIn(t.mailbox.lastMessage("Ken.Sato@acme.test"));
    await expectJson(await t.request("/api/v1/auth/verify-email", { json: { email: "ken.sato@acme.test", code } }), 200);
    await login(t, "ken.sato_01");
    await login(t, "ｋｅｎ．ｓａｔｏ＠ａｃｍｅ．ｔｅｓｔ");
  });

  it("regression: a full-width email is the same address as its ASCII form: derived userId, and taken when registered again", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const first = await expectJson<RegisterBody>(await register(t, { email: "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｔｅｓｔ", password: PASSWORD }), 201);
    expect(first.user).toMatchObject({ userId: "hanako", email: "hanako@example.test" });
    // Answered as a fresh registration, but no second account: the owner of the address gets a notice.
    await expectJson(await register(t, { email: "hanako@example.test", password: PASSWORD }), 201);
    expect(allAccounts(t).filter((a) => a.emailLower === "hanako@example.test")).toHaveLength(1);
  });

  it("stores a full-width password as its NFKC form: the ASCII form logs in", async () => {
    const t = createTestApp();
    await setupOwner(t);
    setSetting(t, "verificationRequired", false);
    await expectJson(await register(t, { email: "ken@example.test", password: "Ｓｅｃｒｅｔ　Ｈｏｒｓｅ　７７" }), 201);
    await login(t, "ken@example.test", "Secret Horse 77");
    await login(t, "ken@example.test", "Ｓｅｃｒｅｔ　Ｈｏｒｓｅ　７７");
  });
});

describe("registering an email that already has an account", () => {
  async function twoRegistrations(t: TestApp, takenEmail: string) {
    const fresh = await register(t, { email: "newcomer@acme.test", password: "another good one" });
    const taken = await register(t, { email: takenEmail, password: "another good one" });
    return { fresh, taken };
  }

  const shape = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v;

  it.each(["member@acme.test", "MEMBER@Acme.TEST"])("answers exactly like a fresh one (%s) and mails the owner of the address instead", async (takenEmail) => {
    const t = createTestApp();
    await setupOwner(t);
    await registerMember(t, "member@acme.test");
    const before = allAccounts(t);
    const { fresh, taken } = await twoRegistrations(t, takenEmail);
    const [a, b] = [await expectJson<RegisterBody>(fresh, 201), await expectJson<RegisterBody>(taken, 201)];
    expect(taken.headers.get("content-type")).toBe(fresh.headers.get("content-type"));
    expect(shape(b)).toEqual(shape(a));
    expect({ ...b.user, id: "", userId: "", email: "", displayName: "" }).toEqual({ ...a.user, id: "", userId: "", email: "", displayName: "" });
    expect(b.verificationRequired).toBe(a.verificationRequired);

    // The address's owner gets a notice (with a way back in), not a confirmation mail.
    const mail = t.mailbox.lastMessage("member@acme.test");
    expect(mail?.kind).toBe("existing_account");
    expect(t.mailbox.linkIn(mail)).toContain("/reset-password?token=");
    if (takenEmail !== "member@acme.test") expect(t.mailbox.lastMessage(takenEmail)).toBeUndefined();
    // Nothing changed: no new account, the old password still works, the new one does not.
    expect(allAccounts(t)).toHaveLength(before.length + 1);
    await login(t, "member@acme.test");
    await expectProblem(await loginRequest(t, "member@acme.test", "another good one"), 401, "invalid_credentials");
  });
});
