import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accounts } from "../db/schema.js";
import type { PasswordHasher } from "../auth/password.js";
import { createTestApp, login, PASSWORD, setupOwner, type TestApp } from "../test/harness.js";

/**
 * What an admin changes while a link, code or password is in flight: the link mailed to an
 * address the admin has since corrected stops working, and a disable that lands while a
 * password is being hashed stays (found by an independent client, stop 13).
 */

async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const admin = (path: string, json?: unknown, method?: string) => t.request(`/api/v1/admin/users${path}`, { token: owner.token, json, method });
  const status = (id: string) => t.db.select().from(accounts).where(eq(accounts.id, id)).get();
  return { t, owner, admin, status };
}

/** Holds every hash and verify until `release()`: what an admin does meanwhile lands between the check and the write. */
function gate(t: TestApp) {
  const inner = t.deps.hasher;
  let open: () => void = () => undefined;
  let waiting = new Promise<void>((r) => (open = r));
  let entered: () => void = () => undefined;
  const started = new Promise<void>((r) => (entered = r));
  const gated: PasswordHasher = {
    hash: async (p) => (entered(), await waiting, inner.hash(p)),
    verify: async (h, p) => (entered(), await waiting, inner.verify(h, p)),
  };
  t.deps.hasher = gated;
  return {
    started,
    release() {
      open();
      t.deps.hasher = inner;
      waiting = Promise.resolve();
    },
  };
}

describe("links mailed to an address the admin has since changed", () => {
  it("a setup link mailed to a mistyped address stops working; the corrected address gets a new one, which confirms it", async () => {
    const { t, admin, status } = await world();
    const created = (await (await admin("", { userId: "sam", email: "sam@acme.tset" })).json()) as { user: { id: string } };
    const oldLink = t.mailbox.tokenIn(t.mailbox.lastMessage("sam@acme.tset"));
    expect((await admin(`/${created.user.id}`, { email: "sam@acme.test" }, "PATCH")).status).toBe(200);

    const stale = await t.request("/api/v1/auth/setup", { json: { token: oldLink, password: "Taken-Over-Pass-99" } });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toMatchObject({ code: "invalid_token" });
    expect(status(created.user.id)).toMatchObject({ status: "invited", emailVerifiedAt: null, passwordHash: null });

    const mail = t.mailbox.lastMessage("sam@acme.test");
    expect(mail?.subject).toBeTruthy();
    const fresh = await t.request("/api/v1/auth/setup", { json: { token: t.mailbox.tokenIn(mail), password: "sams-own-pass-42" } });
    expect(fresh.status).toBe(200);
    expect(status(created.user.id)).toMatchObject({ status: "active", email: "sam@acme.test" });
    expect(status(created.user.id)?.emailVerifiedAt).not.toBeNull();
  });

  it("a reset link mailed before the change no longer sets the password", async () => {
    const { t, admin } = await world();
    const created = (await (await admin("", { userId: "pat", email: "pat@acme.test", password: PASSWORD })).json()) as { user: { id: string } };
    await login(t, "pat");
    await t.request("/api/v1/auth/password-reset", { json: { email: "pat@acme.test" } });
    const oldLink = t.mailbox.tokenIn(t.mailbox.lastMessage("pat@acme.test"));
    await admin(`/${created.user.id}`, { email: "pat@globex.test" }, "PATCH");

    const r = await t.request("/api/v1/auth/password-reset/confirm", { json: { token: oldLink, password: "Taken-Over-Pass-99" } });
    expect(r.status).toBe(400);
    expect((await t.request("/api/v1/auth/login", { json: { login: "pat", password: "Taken-Over-Pass-99" } })).status).toBe(401);
    expect((await t.request("/api/v1/auth/login", { json: { login: "pat", password: PASSWORD } })).status).toBe(200);
  });

  it("a confirmation code mailed to the old address does not confirm the new one", async () => {
    const { t, admin, status } = await world();
    expect((await t.request("/api/v1/auth/register", { json: { email: "kim@acme.test", password: PASSWORD, userId: "kim" } })).status).toBe(201);
    const mail = t.mailbox.lastMessage("kim@acme.test");
    const code = t.mailbox.codeIn(mail);
    const token = t.mailbox.tokenIn(mail);
    const id = (await (await admin("?q=kim")).json() as { items: { id: string }[] }).items[0]!.id;
    await admin(`/${id}`, { email: "kim@elsewhere.test" }, "PATCH");

    expect((await t.request("/api/v1/auth/verify-email", { json: { email: "kim@elsewhere.test", code } })).status).toBe(400);
    expect((await t.request("/api/v1/auth/verify-email", { json: { token } })).status).toBe(400);
    expect(status(id)).toMatchObject({ status: "pending", emailVerifiedAt: null });
    // The corrected address gets a confirmation of its own, which works.
    const fresh = t.mailbox.lastMessage("kim@elsewhere.test");
    expect(fresh?.kind).toBe("verify_email");
    expect((await t.request("/api/v1/auth/verify-email", { json: { email: "kim@elsewhere.test", code: t.mailbox.codeIn(fresh) } })).status).toBe(200);
  });

  it("the address check alone refuses a token mailed elsewhere: an address changed outside the admin's edit, or cleared", async () => {
    const { t, admin, status } = await world();
    // Registration code and link, then the address changes underneath (another process, an old version).
    expect((await t.request("/api/v1/auth/register", { json: { email: "lee@acme.test", password: PASSWORD, userId: "lee" } })).status).toBe(201);
    const mail = t.mailbox.lastMessage("lee@acme.test");
    const lee = t.db.select().from(accounts).where(eq(accounts.userId, "lee")).get()!;
    t.db.update(accounts).set({ email: "lee@other.test", emailLower: "lee@other.test" }).where(eq(accounts.id, lee.id)).run();
    expect((await t.request("/api/v1/auth/verify-email", { json: { token: t.mailbox.tokenIn(mail) } })).status).toBe(400);
    expect((await t.request("/api/v1/auth/verify-email", { json: { email: "lee@other.test", code: t.mailbox.codeIn(mail) } })).status).toBe(400);
    expect(status(lee.id)).toMatchObject({ status: "pending" });

    // An invited account whose address the admin removes: its mailed setup link dies with the address.
    const created = (await (await admin("", { userId: "sam", email: "sam@acme.test" })).json()) as { user: { id: string } };
    const link = t.mailbox.tokenIn(t.mailbox.lastMessage("sam@acme.test"));
    expect((await admin(`/${created.user.id}`, { email: null }, "PATCH")).status).toBe(200);
    expect((await t.request("/api/v1/auth/setup", { json: { token: link, password: "brand-new-pass-7" } })).status).toBe(400);
    expect(status(created.user.id)).toMatchObject({ status: "invited", passwordHash: null });
  });
});

describe("a disable that lands while a password is being hashed", () => {
  it("stays when a reset link is used meanwhile: the reset is refused", async () => {
    const { t, admin, status } = await world();
    const created = (await (await admin("", { userId: "pat", email: "pat@acme.test", password: PASSWORD })).json()) as { user: { id: string } };
    await t.request("/api/v1/auth/password-reset", { json: { email: "pat@acme.test" } });
    const link = t.mailbox.tokenIn(t.mailbox.lastMessage("pat@acme.test"));
    const g = gate(t);
    const reset = t.request("/api/v1/auth/password-reset/confirm", { json: { token: link, password: "brand-new-pass-7" } });
    await g.started;
    expect((await admin(`/${created.user.id}/disable`, {})).status).toBe(200);
    g.release();
    expect((await reset).status).toBe(400);
    expect(status(created.user.id)?.status).toBe("disabled");
  });

  it("stays when a setup link is used meanwhile", async () => {
    const { t, admin, status } = await world();
    const created = (await (await admin("", { userId: "sam", email: "sam@acme.test" })).json()) as { user: { id: string } };
    const link = t.mailbox.tokenIn(t.mailbox.lastMessage("sam@acme.test"));
    const g = gate(t);
    const setup = t.request("/api/v1/auth/setup", { json: { token: link, password: "brand-new-pass-7" } });
    await g.started;
    expect((await admin(`/${created.user.id}/disable`, {})).status).toBe(200);
    g.release();
    expect((await setup).status).toBe(400);
    expect(status(created.user.id)?.status).toBe("disabled");
  });

  it("opens no session when a log in is checking the password meanwhile", async () => {
    const { t, admin } = await world();
    const created = (await (await admin("", { userId: "pat", email: "pat@acme.test", password: PASSWORD })).json()) as { user: { id: string } };
    await login(t, "pat");
    const g = gate(t);
    const attempt = t.request("/api/v1/auth/login", { json: { login: "pat", password: PASSWORD } });
    await g.started;
    expect((await admin(`/${created.user.id}/disable`, {})).status).toBe(200);
    g.release();
    const r = await attempt;
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: "account_disabled" });
    // Enabled again, the account has no session from that log in.
    await admin(`/${created.user.id}/enable`, {});
    expect(t.db.$client.prepare("SELECT count(*) AS n FROM sessions WHERE account_id = ?").get(created.user.id)).toEqual({ n: 0 });
  });
});
