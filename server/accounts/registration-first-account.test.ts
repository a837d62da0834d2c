import { describe, expect, it } from "vitest";
import { organizationDomains, organizations } from "../db/schema.js";
import { t as translate } from "../i18n/index.js";
import { createTestApp, login, PASSWORD, setupOwner } from "../test/harness.js";
import { allAccounts, expectJson, expectProblem, register, type RegisterBody } from "../test/api.js";
import { bootstrapOwner } from "./registration.js";

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
    expect(p.errors).toEqual({ organizationName: translate("en", "organizationName.required") });
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
