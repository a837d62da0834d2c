import { describe, expect, it } from "vitest";
import { inArray } from "drizzle-orm";
import { accounts, organizationDomains, organizations } from "../db/schema.js";
import { t as translate } from "../i18n/index.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { allAccounts, expectJson, expectProblem, loginRequest, register, setSetting, type UserBody } from "../test/api.js";
import { bootstrapOwner } from "./registration.js";

const en = (key: string) => translate("en", key);
type RegisterBody = UserBody & { verificationRequired: boolean };

describe("the first account", () => {
  it("becomes the active owner of a new organization that claims its domain, with no mail needed", async () => {
    const t = createTestApp();
    const body = await expectJson<RegisterBody>(await register(t, { email: "Hana@Acme.test", password: PASSWORD, organizationName: "Acme" }), 201);
    expect(body.verificationRequired).toBe(false);
    expect(body.user).toMatchObject({ type: "owner", status: "active", email: "Hana@Acme.test", organization: { name: "Acme" } });
    expect(body.user.emailVerifiedAt).not.toBeNull();
    expect(t.mailbox.sent()).toHaveLength(0);
    expect(t.db.select().from(organizationDomains).all().map((d) => d.domain)).toEqual(["acme.test"]);
    await login(t, "hana@acme.test");

    // The claimed domain: the next person from acme.test joins Acme.
    const next = await expectJson<RegisterBody>(await register(t, { email: "ken@acme.test", password: PASSWORD }), 201);
    expect(next.user.organization).toMatchObject({ name: "Acme" });
  });

  it("claims no domain when claimDomain is false: the next person from that domain is personal", async () => {
    const t = createTestApp();
    await expectJson(await register(t, { email: "hana@acme.test", password: PASSWORD, organizationName: "Acme", claimDomain: false }), 201);
    expect(t.db.select().from(organizationDomains).all()).toHaveLength(0);
    const next = await expectJson<RegisterBody>(await register(t, { email: "ken@acme.test", password: PASSWORD }), 201);
    expect(next.user.organization).toBeNull();
  });

  it.each([["missing", undefined], ["empty", ""]])("needs an organization name (%s) and creates nothing without one", async (_, organizationName) => {
    const t = createTestApp();
    const p = await expectProblem(await register(t, { email: "hana@acme.test", password: PASSWORD, organizationName }), 400, "validation_failed");
    expect(p.errors).toEqual({ organizationName: en("organizationName.required") });
    expect(allAccounts(t)).toHaveLength(0);
    expect(t.db.select().from(organizations).all()).toHaveLength(0);
  });

  it("asks for an organization name on the first account only", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await expectJson(await register(t, { email: "ken@elsewhere.test", password: PASSWORD }), 201);
  });

  it.each([2, 20])("makes exactly one owner when %i first registrations race", async (n) => {
    const t = createTestApp();
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) => register(t, { email: `founder${i}@org${i}.test`, password: PASSWORD, organizationName: `Org ${i}` })),
    );
    const bodies = await Promise.all(responses.map((r) => expectJson<RegisterBody>(r, 201)));
    expect(bodies.filter((b) => b.user.type === "owner")).toHaveLength(1);
    expect(allAccounts(t).filter((a) => a.type === "owner")).toHaveLength(1);
    expect(allAccounts(t)).toHaveLength(n);
    expect(t.db.select().from(organizations).all()).toHaveLength(1);
    // Everyone else is an ordinary registration waiting for its confirmation mail.
    expect(bodies.filter((b) => b.user.status === "pending")).toHaveLength(n - 1);
  });
});

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

describe("registration policies", () => {
  it.each([
    ["closed", "ken@acme.test", 403, "registration_closed"],
    ["invite", "ken@acme.test", 403, "invitation_required"],
    ["domain", "ken@example.test", 403, "domain_not_allowed"],
  ] as const)("%s refuses %s with %i %s and creates nothing", async (policy, email, status, code) => {
    const t = createTestApp();
    await setupOwner(t);
    setSetting(t, "registration", policy);
    await expectProblem(await register(t, { email, password: PASSWORD }), status, code);
    expect(allAccounts(t)).toHaveLength(1);
    expect(t.mailbox.sent()).toHaveLength(0);
  });

  it("domain lets in an email whose domain an organization claims", async () => {
    const t = createTestApp();
    await setupOwner(t);
    setSetting(t, "registration", "domain");
    const body = await expectJson<RegisterBody>(await register(t, { email: "ken@ACME.test", password: PASSWORD }), 201);
    expect(body.user.organization?.name).toBe("Acme");
  });

  it("approval: after confirming the email the account awaits approval and cannot log in yet", async () => {
    const t = createTestApp();
    await setupOwner(t);
    setSetting(t, "registration", "approval");
    await expectJson(await register(t, { email: "ken@acme.test", password: PASSWORD }), 201);
    const code = t.mailbox.codeIn(t.mailbox.lastMessage("ken@acme.test"));
    const v = await expectJson<UserBody>(await t.request("/api/v1/auth/verify-email", { json: { email: "ken@acme.test", code } }), 200);
    expect(v.user.status).toBe("awaiting_approval");
    await expectProblem(await loginRequest(t, "ken@acme.test", PASSWORD), 403, "awaiting_approval");
    await expectProblem(await loginRequest(t, "ken@acme.test", "wrong password!"), 401, "invalid_credentials");
  });

  describe("approval: the approvers get a mail when someone applies", () => {
    /** Acme with its owner, an admin and a member; Globex with its own admin; the policy is approval. */
    async function approvalServer() {
      const t = createTestApp();
      await setupOwner(t);
      const admin = await registerMember(t, "boss@acme.test", { userId: "boss" });
      await registerMember(t, "member@acme.test");
      t.db.insert(organizations).values({ id: "globex", name: "Globex", adminLimit: 10, pendingLimit: 50, createdAt: t.clock.now(), updatedAt: t.clock.now() }).run();
      t.db.insert(organizationDomains).values({ domain: "globex.test", organizationId: "globex", createdAt: t.clock.now() }).run();
      const globexAdmin = await registerMember(t, "admin@globex.test");
      t.db.update(accounts).set({ type: "admin" }).where(inArray(accounts.id, [admin.user.id, globexAdmin.user.id])).run();
      setSetting(t, "registration", "approval");
      const applications = () => t.mailbox.sent().filter((m) => m.kind === "application_received");
      return { t, applications };
    }

    it("mails the active admins and owners of the applicant's organization once the address is confirmed", async () => {
      const { t, applications } = await approvalServer();
      await expectJson(await register(t, { email: "ken@acme.test", password: PASSWORD, nickname: "Ken" }), 201);
      expect(applications()).toHaveLength(0);
      const code = t.mailbox.codeIn(t.mailbox.lastMessage("ken@acme.test"));
      await expectJson(await t.request("/api/v1/auth/verify-email", { json: { email: "ken@acme.test", code } }), 200);
      expect(applications().map((m) => m.toAddress).sort()).toEqual(["boss@acme.test", "owner@acme.test"]);
      expect(applications()[0]?.text).toContain("ken@acme.test");
      expect(t.mailbox.linkIn(applications()[0])).toBe("http://localhost:8080/admin/approvals");
    });

    it("mails the owners for a personal account", async () => {
      const { t, applications } = await approvalServer();
      await expectJson(await register(t, { email: "solo@example.test", password: PASSWORD }), 201);
      const token = t.mailbox.tokenIn(t.mailbox.lastMessage("solo@example.test"));
      await expectJson(await t.request("/api/v1/auth/verify-email", { json: { token } }), 200);
      expect(applications().map((m) => m.toAddress)).toEqual(["owner@acme.test"]);
    });

    it("mails at registration when no confirmation is required, and not for an address that has an account", async () => {
      const { t, applications } = await approvalServer();
      setSetting(t, "verificationRequired", false);
      await expectJson(await register(t, { email: "member@acme.test", password: "another good one" }), 201);
      expect(applications()).toHaveLength(0);
      await expectJson(await register(t, { email: "ken@acme.test", password: PASSWORD }), 201);
      expect(applications().map((m) => m.toAddress).sort()).toEqual(["boss@acme.test", "owner@acme.test"]);
    });

    it("mails when a reset link confirms a pending applicant", async () => {
      const { t, applications } = await approvalServer();
      await expectJson(await register(t, { email: "ken@acme.test", password: PASSWORD }), 201);
      await t.request("/api/v1/auth/password-reset", { json: { email: "ken@acme.test" } });
      const token = t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test"));
      expect((await t.request("/api/v1/auth/password-reset/confirm", { json: { token, password: "a brand new secret" } })).status).toBe(204);
      await expectProblem(await loginRequest(t, "ken@acme.test", "a brand new secret"), 403, "awaiting_approval");
      expect(applications()).toHaveLength(2);
    });
  });

  it.each([
    ["open", "active"],
    ["approval", "awaiting_approval"],
  ] as const)("verificationRequired off (%s): the account is %s at once and gets no confirmation mail", async (policy, status) => {
    const t = createTestApp();
    await setupOwner(t);
    setSetting(t, "registration", policy);
    setSetting(t, "verificationRequired", false);
    const body = await expectJson<RegisterBody>(await register(t, { email: "ken@acme.test", password: PASSWORD }), 201);
    expect(body).toMatchObject({ verificationRequired: false, user: { status } });
    expect(t.mailbox.lastMessage("ken@acme.test")).toBeUndefined();
    if (status === "active") await login(t, "ken@acme.test");
  });

  it("GET /api/v1/server tells clients the policy", async () => {
    const t = createTestApp();
    expect(await expectJson(await t.request("/api/v1/server"), 200)).toEqual({ name: "Roster", version: expect.any(String), registration: "open", verificationRequired: true });
    setSetting(t, "registration", "approval");
    setSetting(t, "verificationRequired", false);
    expect(await expectJson(await t.request("/api/v1/server"), 200)).toMatchObject({ registration: "approval", verificationRequired: false });
  });

  it("the first account is created whatever the policy says (it bootstraps the server)", async () => {
    const t = createTestApp();
    setSetting(t, "registration", "closed");
    await setupOwner(t);
  });

  it("throttles registrations per email: a sixth within the hour is refused with 429", async () => {
    const t = createTestApp();
    await setupOwner(t);
    for (let i = 0; i < 5; i++) await expectJson(await register(t, { email: "ken@acme.test", password: PASSWORD }), 201);
    const r = await register(t, { email: "Ken@acme.test", password: PASSWORD });
    await expectProblem(r, 429, "rate_limited");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("lets no more than 5 of 12 parallel registrations of one email through", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => register(t, { email: "ken@acme.test", password: PASSWORD }, { "x-test-client-ip": `10.7.0.${i}` })));
    expect(rs.filter((r) => r.status === 201)).toHaveLength(5);
    expect(rs.filter((r) => r.status === 429)).toHaveLength(7);
    expect(allAccounts(t)).toHaveLength(2);
  });
});

describe("ROSTER_ADMIN_* bootstrap (bootstrapOwner)", () => {
  const admin = { email: "root@corp.test", password: "a long admin secret", organizationName: "Corp" };

  it("creates the active owner of a new organization on an empty server", async () => {
    const t = createTestApp();
    const a = await bootstrapOwner(t.deps, admin);
    expect(a).toMatchObject({ type: "owner", status: "active", email: "root@corp.test", userId: "root" });
    expect(t.db.select().from(organizations).all().map((o) => o.name)).toEqual(["Corp"]);
    expect(t.db.select().from(organizationDomains).all().map((d) => d.domain)).toEqual(["corp.test"]);
    await login(t, "root@corp.test", admin.password);
  });

  it("does nothing on a server that has accounts (every restart)", async () => {
    const t = createTestApp();
    expect(await bootstrapOwner(t.deps, admin)).not.toBeNull();
    expect(await bootstrapOwner(t.deps, { ...admin, email: "other@corp.test" })).toBeNull();
    expect(allAccounts(t)).toHaveLength(1);

    const u = createTestApp();
    await setupOwner(u);
    expect(await bootstrapOwner(u.deps, admin)).toBeNull();
    expect(allAccounts(u).map((a) => a.email)).toEqual(["owner@acme.test"]);
  });

  it.each([
    ["common", "password123", "password.common"],
    ["equal to the email", "ROOT@corp.test", "password.equalsEmail"],
    // Regression: the userId derived from ROSTER_ADMIN_EMAIL was not compared with the password.
    ["equal to the userId derived from the email", "Sysadmin.01", "password.equalsUserId"],
  ])("refuses a password %s with the reason, creating nothing", async (_, password, reason) => {
    const t = createTestApp();
    const email = reason === "password.equalsUserId" ? "sysadmin.01@corp.test" : admin.email;
    await expect(bootstrapOwner(t.deps, { ...admin, email, password })).rejects.toMatchObject({ code: "weak_password", fields: { password: reason } });
    expect(allAccounts(t)).toHaveLength(0);
    expect(t.db.select().from(organizations).all()).toHaveLength(0);
  });
});
