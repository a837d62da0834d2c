import { describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../clock.js";
import { createOrganization } from "../organizations/organizations.js";
import { eq } from "drizzle-orm";
import { accounts } from "../db/schema.js";
import { AppError } from "../errors.js";
import { createTestApp, login, PASSWORD, setupOwner } from "../test/harness.js";
import { newSetupLink } from "./user-actions.js";

/**
 * An admin's "new setup link" (POST /api/v1/admin/users/{id}/setup-link): an invited account whose
 * setup mail was lost, or whose link expired after 7 days, could otherwise never be set up; and one
 * without an address could not be deleted either while deletion is locked (the default).
 */
async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const users = (path: string, o: { token?: string; json?: unknown; method?: string } = {}) => t.request(`/api/v1/admin/users${path}`, { token: o.token ?? owner.token, json: o.json, method: o.method });
  const setup = (token: string, password: string) => t.request("/api/v1/auth/setup", { json: { token, password } });
  return { t, owner, users, setup };
}

describe("a new setup link for an invited account", () => {
  it("mails a new link when the first one expired; the new one sets the password, the old one stays dead", async () => {
    const { t, users, setup } = await world();
    const created = (await (await users("", { json: { userId: "sam", email: "sam@acme.test" } })).json()) as { user: { id: string } };
    const first = t.mailbox.tokenIn(t.mailbox.lastMessage("sam@acme.test"));
    t.clock.advance(8 * DAY);
    expect(await (await setup(first, "sams-own-pass-42")).json()).toMatchObject({ code: "token_expired" });

    const r = await users(`/${created.user.id}/setup-link`, { method: "POST" });
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ outcome: "setup_mail", user: { id: created.user.id, status: "invited" } });
    expect(body).not.toHaveProperty("setupUrl");
    const mail = t.mailbox.lastMessage("sam@acme.test");
    const second = t.mailbox.tokenIn(mail);
    expect(second).not.toBe(first);

    expect((await setup(first, "sams-own-pass-42")).status).toBeGreaterThanOrEqual(400);
    expect((await setup(second, "sams-own-pass-42")).status).toBe(200);
    expect((await t.request("/api/v1/auth/login", { json: { login: "sam", password: "sams-own-pass-42" } })).status).toBe(200);
  });

  it("returns a link to hand over for an account without an address, and the earlier link stops working", async () => {
    const { t, users, setup } = await world();
    const created = (await (await users("", { json: { userId: "lee" } })).json()) as { user: { id: string }; setupUrl: string };
    const mailsBefore = t.mailbox.sent().length;
    t.clock.advance(MINUTE);
    const r = (await (await users(`/${created.user.id}/setup-link`, { method: "POST" })).json()) as { outcome: string; setupUrl: string };
    expect(r.outcome).toBe("setup_link");
    expect(r.setupUrl).toMatch(/^http:\/\/localhost:8080\/setup\?token=[a-z2-7]+$/);
    expect(r.setupUrl).not.toBe(created.setupUrl);
    expect(t.mailbox.sent()).toHaveLength(mailsBefore);

    const old = new URL(created.setupUrl).searchParams.get("token") ?? "";
    expect(await (await setup(old, "lees-own-pass-42")).json()).toMatchObject({ code: "invalid_token" });
    expect((await setup(new URL(r.setupUrl).searchParams.get("token") ?? "", "lees-own-pass-42")).status).toBe(200);
    // Set up, the account has no use for another link.
    const again = await users(`/${created.user.id}/setup-link`, { method: "POST" });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: "validation_failed" });
  });

  it("is refused for accounts with a password, and outside the admin's organization; each link is in the audit log", async () => {
    const { t, owner, users } = await world();
    const active = (await (await users("", { json: { userId: "pat", password: PASSWORD } })).json()) as { user: { id: string } };
    const r = await users(`/${active.user.id}/setup-link`, { method: "POST" });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: "validation_failed", errors: { status: expect.any(String) } });

    const globex = t.db.transaction((tx) => createOrganization(tx, t.deps, "Globex", ["globex.test"]));
    const elsewhere = (await (await users("", { json: { userId: "gil", organizationId: globex.id } })).json()) as { user: { id: string } };
    await users("", { json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } });
    const ada = await login(t, "ada");
    expect((await users(`/${elsewhere.user.id}/setup-link`, { method: "POST", token: ada.token })).status).toBe(404);

    const invited = (await (await users("", { json: { userId: "ivy", email: "ivy@acme.test" } })).json()) as { user: { id: string } };
    expect((await users(`/${invited.user.id}/setup-link`, { method: "POST", token: ada.token })).status).toBe(200);
    const audit = (await (await t.request("/api/v1/admin/audit?limit=5", { token: owner.token })).json()) as { items: { action: string; actor: unknown; target: unknown; detail: unknown }[] };
    expect(audit.items[0]).toMatchObject({ action: "admin.user_setup_link", detail: { outcome: "setup_mail" } });
    expect(JSON.stringify(audit.items[0])).toContain("ivy");
  });

  it("in bulk (mailOnly), an account without an address gets no link, and the one it was given keeps working", async () => {
    const { t, owner, users, setup } = await world();
    const created = (await (await users("", { json: { userId: "lee" } })).json()) as { user: { id: string }; setupUrl: string };
    const actor = t.db.select().from(accounts).where(eq(accounts.id, owner.user.id)).get()!;
    expect(() => newSetupLink(t.deps, actor, created.user.id, { ip: "127.0.0.1", userAgent: "test" }, { mailOnly: true })).toThrow(AppError);
    expect((await setup(new URL(created.setupUrl).searchParams.get("token") ?? "", "lees-own-pass-42")).status).toBe(200);
  });

  it("a disabled invited account gets no link until it is enabled again", async () => {
    const { users } = await world();
    const invited = (await (await users("", { json: { userId: "ivy", email: "ivy@acme.test" } })).json()) as { user: { id: string } };
    await users(`/${invited.user.id}/disable`, { method: "POST" });
    expect((await users(`/${invited.user.id}/setup-link`, { method: "POST" })).status).toBe(400);
    await users(`/${invited.user.id}/enable`, { method: "POST" });
    expect((await users(`/${invited.user.id}/setup-link`, { method: "POST" })).status).toBe(200);
  });
});
