import { describe, expect, it } from "vitest";
import { createTestApp, registerMember } from "../../test/harness.js";
import { pageLogin, pageOwner } from "./test-helpers.js";

describe("the top bar", () => {
  it("shows the admin console to admins, People to members, and neither to a personal account", async () => {
    const t = createTestApp();
    const ownerCookie = await pageOwner(t);
    await registerMember(t, "mia@acme.test");
    await registerMember(t, "solo@elsewhere.test");
    const page = async (cookie: string) => (await (await t.request("/account", { cookie })).text()).match(/<header[\s\S]*?<\/header>/)?.[0] ?? "";
    const owner = await page(ownerCookie);
    expect(owner).toContain('href="/admin"');
    expect(owner).toContain('href="/people"');
    const member = await page(await pageLogin(t, "mia@acme.test"));
    expect(member).not.toContain('href="/admin"');
    expect(member).toContain('href="/people"');
    const personal = await page(await pageLogin(t, "solo@elsewhere.test"));
    expect(personal).not.toContain('href="/people"');
  });
});

describe("organization choosers", () => {
  it("appear only when the server has more than one organization", async () => {
    const t = createTestApp();
    const cookie = await pageOwner(t);
    const chooser = async () => /name="organizationId"/.test(await (await t.request("/admin/users/new", { cookie })).text()) || /name="organizationId"/.test(await (await t.request("/admin/users", { cookie })).text());
    expect(await chooser()).toBe(false);
    const { createOrganization } = await import("../../organizations/organizations.js");
    t.db.transaction((tx) => createOrganization(tx, t.deps, "Globex"));
    expect(await chooser()).toBe(true);
  });
});
