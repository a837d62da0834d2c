import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts, mailOutbox } from "../db/schema.js";
import { dashboardSummary } from "../admin/dashboard.js";
import { pageLogin } from "../http/pages/test-helpers.js";
import { createTestApp, login, registerMember, setupOwner, PASSWORD, type TestApp } from "../test/harness.js";

/**
 * Mail carries links that log people in: an owner reads all of it; an admin
 * only mail to the accounts they may change and their organization's own
 * registration requests.
 */
async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  await registerMember(t, "mia@acme.test", { userId: "mia" });
  const made = await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } });
  expect(made.status).toBe(201);
  const admin = await login(t, "ada");
  const globex = (await (await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Globex", domains: ["globex.test"] } })).json()) as { id: string };
  // Pat has a personal account, no member of Acme.
  await registerMember(t, "pat@personal.test", { userId: "pat" });
  return { t, owner, admin, globex };
}

type Item = { id: string; to: string; kind: string };
const j = async <T = Record<string, unknown>>(r: Response) => (await r.json()) as T;
const mailId = (t: TestApp, to: string, kind: string) => {
  const m = t.db.select().from(mailOutbox).where(and(eq(mailOutbox.toAddress, to), eq(mailOutbox.kind, kind))).get();
  if (!m) throw new Error(`no ${kind} mail to ${to}`);
  return m.id;
};
const listed = async (t: TestApp, token: string) => (await j<{ items: Item[]; total: number }>(await t.request("/api/v1/admin/mail?limit=200", { token })));
const forgot = (t: TestApp, email: string) => t.request("/api/v1/auth/password-reset", { json: { email } });

describe("which mail an admin may read", () => {
  it("never shows another organization's invitation, even once its address is given to one of the admin's members", async () => {
    const { t, owner, admin, globex } = await world();
    const sent = await t.request("/api/v1/admin/invitations", { token: owner.token, json: { email: "target@elsewhere.test", organizationId: globex.id, type: "admin" } });
    expect(sent.status).toBe(201);
    const invitation = mailId(t, "target@elsewhere.test", "invitation");
    const mia = t.db.select().from(accounts).where(eq(accounts.userId, "mia")).get();
    expect((await t.request(`/api/v1/admin/users/${mia?.id}`, { method: "PATCH", token: admin.token, json: { email: "target@elsewhere.test" } })).status).toBe(200);
    expect((await t.request(`/api/v1/admin/mail/${invitation}`, { token: admin.token })).status).toBe(404);
    expect((await listed(t, admin.token)).items.map((m) => m.id)).not.toContain(invitation);
  });

  it("hides a reset mail to someone their organization once invited (404), but shows the invitation itself, whatever its state", async () => {
    const { t, owner, admin } = await world();
    const sent = await t.request("/api/v1/admin/invitations", { token: admin.token, json: { email: "pat@personal.test" } });
    expect(sent.status).toBe(201);
    const { id } = await j<{ id: string }>(sent);
    expect((await t.request(`/api/v1/admin/invitations/${id}`, { method: "DELETE", token: admin.token })).status).toBe(204);
    await forgot(t, "pat@personal.test");
    const reset = mailId(t, "pat@personal.test", "password_reset");
    const invitation = mailId(t, "pat@personal.test", "invitation");

    expect((await t.request(`/api/v1/admin/mail/${reset}`, { token: admin.token })).status).toBe(404);
    expect((await t.request(`/api/v1/admin/mail/${reset}/retry`, { method: "POST", token: admin.token })).status).toBe(404);
    const mine = await listed(t, admin.token);
    expect(mine.items.map((m) => m.id)).not.toContain(reset);
    expect(mine.items.filter((m) => m.to === "pat@personal.test").map((m) => m.kind)).toEqual(["invitation"]);
    // The revoked request's mail is still the organization's to read.
    const inv = await j(await t.request(`/api/v1/admin/mail/${invitation}`, { token: admin.token }));
    expect(String(inv.text)).toContain("/invite/");

    const full = await t.request(`/api/v1/admin/mail/${reset}`, { token: owner.token });
    expect(full.status).toBe(200);
    expect(String((await j(full)).text)).toContain("/reset-password?token=");
  });

  it("hides the owner's mail from an admin of its organization (a reset link to it is the server), in list, detail, frame and retry", async () => {
    const { t, owner, admin } = await world();
    await forgot(t, "owner@acme.test");
    const reset = mailId(t, "owner@acme.test", "password_reset");
    expect((await t.request(`/api/v1/admin/mail/${reset}`, { token: admin.token })).status).toBe(404);
    expect((await t.request(`/api/v1/admin/mail/${reset}/retry`, { method: "POST", token: admin.token })).status).toBe(404);
    expect((await listed(t, admin.token)).items.some((m) => m.to === "owner@acme.test")).toBe(false);
    expect((await t.request(`/api/v1/admin/mail?to=owner`, { token: admin.token }).then((r) => j<{ total: number }>(r))).total).toBe(0);

    // The page face: the detail and its HTML frame answer 404 too.
    const cookie = await pageLogin(t, "ada");
    for (const path of [`/admin/mail/${reset}`, `/admin/mail/${reset}/html`]) expect((await t.request(path, { cookie })).status, path).toBe(404);
    expect((await t.request(`/admin/mail/${reset}/retry`, { cookie, form: {} })).status).toBe(404);
    expect(await (await t.request("/admin/mail?to=owner", { cookie })).text()).not.toContain("owner@acme.test");

    const seen = await t.request(`/api/v1/admin/mail/${reset}`, { token: owner.token });
    expect(seen.status).toBe(200);
    expect(String((await j(seen)).text)).toContain("/reset-password?token=");

    // The admin still reads their members' mail and their own.
    await forgot(t, "mia@acme.test");
    await forgot(t, "ada@acme.test");
    for (const [to, kind] of [["mia@acme.test", "verify_email"], ["mia@acme.test", "password_reset"], ["ada@acme.test", "password_reset"]] as const) {
      const r = await t.request(`/api/v1/admin/mail/${mailId(t, to, kind)}`, { token: admin.token });
      expect(r.status, `${kind} to ${to}`).toBe(200);
    }
    expect((await t.request(`/admin/mail/${mailId(t, "mia@acme.test", "password_reset")}`, { cookie })).status).toBe(200);
  });

  it("never shows another organization's invitation mail, even to an address both invited", async () => {
    const { t, owner, admin, globex } = await world();
    expect((await t.request("/api/v1/admin/invitations", { token: owner.token, json: { email: "sam@else.test", organizationId: globex.id } })).status).toBe(201);
    const theirs = mailId(t, "sam@else.test", "invitation");
    expect((await t.request("/api/v1/admin/invitations", { token: admin.token, json: { email: "sam@else.test" } })).status).toBe(201);
    expect((await t.request(`/api/v1/admin/mail/${theirs}`, { token: admin.token })).status).toBe(404);
    expect((await listed(t, admin.token)).items.map((m) => m.id)).not.toContain(theirs);
  });

  it("counts the same mail on the dashboard as in the mail health, for an admin and for an owner", async () => {
    const { t, owner, admin } = await world();
    await forgot(t, "owner@acme.test");
    await forgot(t, "pat@personal.test");
    const row = (userId: string) => t.db.select().from(accounts).where(eq(accounts.userId, userId)).get()!;
    for (const [who, token, all] of [["ada", admin.token, false], ["owner", owner.token, true]] as const) {
      const health = await j<{ counts: Record<string, number> }>(await t.request("/api/v1/admin/mail/health", { token }));
      const dash = dashboardSummary(t.deps, row(who)).mail.byStatus;
      expect(dash, who).toEqual(health.counts);
      const total = Object.values(health.counts).reduce((a, b) => a + b, 0);
      expect(total, who).toBe((await listed(t, token)).total);
      if (all) expect(total).toBe(t.mailbox.sent().length);
      else expect(total).toBeLessThan(t.mailbox.sent().length);
    }
  });
});
