import { describe, expect, it } from "vitest";
import { inArray } from "drizzle-orm";
import { accounts, organizationDomains, organizations } from "../db/schema.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner } from "../test/harness.js";
import { allAccounts, expectJson, expectProblem, loginRequest, register, setSetting, type RegisterBody, type UserBody } from "../test/api.js";

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
