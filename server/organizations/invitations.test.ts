import { describe, expect, it } from "vitest";
import { DAY } from "../clock.js";
import { createTestApp, login, registerMember, setupOwner, PASSWORD } from "../test/harness.js";

async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field below
  const j = async (r: Response) => (await r.json()) as Record<string, any>;
  const globex = await j(await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Globex", domains: ["globex.test"] } }));
  const invite = (email: string, token = owner.token, extra: Record<string, unknown> = {}) => t.request("/api/v1/admin/invitations", { token, json: { email, ...extra } });
  const linkToken = (email: string) => new URL(t.mailbox.linkIn(t.mailbox.lastMessage(email))).pathname.split("/").pop() as string;
  return { t, owner, globex, j, invite, linkToken };
}

describe("registration requests", () => {
  it("a newcomer chooses a user ID and password and is logged in, active and verified", async () => {
    const { t, j, invite, linkToken } = await world();
    expect((await invite("new@elsewhere.test", undefined, { message: "Welcome aboard" })).status).toBe(201);
    const mail = t.mailbox.lastMessage("new@elsewhere.test");
    expect(mail?.subject).toContain("Acme");
    expect(mail?.text).toContain("Welcome aboard");
    const token = linkToken("new@elsewhere.test");
    expect(await j(await t.request(`/api/v1/invitations/${token}`))).toMatchObject({ mode: "new_account", status: "pending", organization: { name: "Acme" } });
    const r = await t.request(`/api/v1/invitations/${token}/accept`, { json: { userId: "newbie", nickname: "New", password: PASSWORD } });
    expect(r.status).toBe(201);
    const body = await j(r);
    expect(body.user).toMatchObject({ userId: "newbie", status: "active", organization: { name: "Acme" } });
    expect(body.user.emailVerifiedAt).not.toBeNull();
    expect((await t.request("/api/v1/me", { token: body.token })).status).toBe(200);
    expect((await t.request(`/api/v1/invitations/${token}/accept`, { json: { userId: "again", password: PASSWORD } })).status).toBe(400);
  });

  it("regression: names the newcomer's first session by its browser, as a log-in does (not a slice of the user agent)", async () => {
    const { t, j, invite, linkToken } = await world();
    await invite("new@elsewhere.test");
    const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
    const r = await t.request(`/api/v1/invitations/${linkToken("new@elsewhere.test")}/accept`, { json: { userId: "newbie", password: PASSWORD }, headers: { "user-agent": ua } });
    expect(r.status).toBe(201);
    const sessions = await j(await t.request("/api/v1/me/sessions", { token: (await j(r)).token }));
    expect(sessions.items.map((s: { device: string }) => s.device)).toEqual(["Chrome on Linux"]);
  });

  it("a personal account logs in, and the same account with its profile and sessions moves into the organization", async () => {
    const { t, j, invite, linkToken } = await world();
    const personal = await registerMember(t, "solo@gmail.test");
    await t.request("/api/v1/me", { method: "PATCH", token: personal.token, json: { groupName: "Sales/Tokyo", nickname: "Solo" } });
    expect((await j(await t.request("/api/v1/me", { token: personal.token }))).organization).toBeNull();
    await invite("solo@gmail.test");
    const token = linkToken("solo@gmail.test");
    expect(await j(await t.request(`/api/v1/invitations/${token}`))).toMatchObject({ mode: "move_personal" });
    expect((await t.request(`/api/v1/invitations/${token}/accept`, { json: {} })).status).toBe(401);
    const stranger = await registerMember(t, "stranger@gmail.test");
    const wrong = await t.request(`/api/v1/invitations/${token}/accept`, { token: stranger.token, json: {} });
    expect(wrong.status).toBe(403);
    expect((await j(wrong)).detail).toContain("solo@gmail.test");
    const ok = await t.request(`/api/v1/invitations/${token}/accept`, { token: personal.token, json: {} });
    expect(ok.status).toBe(200);
    const me = await j(await t.request("/api/v1/me", { token: personal.token }));
    expect(me).toMatchObject({ id: personal.user.id, nickname: "Solo", groupName: "Sales/Tokyo", organization: { name: "Acme" } });
  });

  it("refuses members of other organizations, existing members, duplicates and too many pending requests", async () => {
    const { t, owner, globex, j, invite } = await world();
    await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "gil", email: "gil@globex.test", password: PASSWORD, organizationId: globex.id } });
    expect((await j(await invite("gil@globex.test"))).code).toBe("managed_by_other_organization");
    expect((await j(await invite("owner@acme.test"))).code).toBe("already_member");
    expect((await invite("dup@x.test")).status).toBe(201);
    expect((await j(await invite("DUP@x.test"))).code).toBe("invitation_pending");
    t.db.$client.prepare("UPDATE organizations SET pending_limit = 2 WHERE name = 'Acme'").run();
    expect((await invite("two@x.test")).status).toBe(201);
    expect((await j(await invite("three@x.test"))).code).toBe("pending_limit_reached");
    const many = await j(await t.request("/api/v1/admin/invitations", { token: owner.token, json: { email: "a@x.test, not-an-email\nb@x.test" } }));
    expect(many.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual(["pending_limit_reached", "validation_failed", "pending_limit_reached"]);
  });

  it("regression: full-width addresses and separators (input method) are sent to the ASCII address; the newcomer's full-width user ID is stored in ASCII", async () => {
    const { t, j, invite, linkToken } = await world();
    const sent = await j(await invite("ｎｅｗ＠ｅｌｓｅｗｈｅｒｅ．ｔｅｓｔ，ｓｅｃｏｎｄ＠ｅｌｓｅｗｈｅｒｅ．ｔｅｓｔ"));
    expect(sent.results.map((r: { email: string; status: string }) => [r.email, r.status])).toEqual([
      ["new@elsewhere.test", "sent"],
      ["second@elsewhere.test", "sent"],
    ]);
    const r = await t.request(`/api/v1/invitations/${linkToken("new@elsewhere.test")}/accept`, { json: { userId: "ｎｅｗｂｉｅ", nickname: "ﾆｭｰ", password: PASSWORD } });
    expect(r.status).toBe(201);
    expect((await j(r)).user).toMatchObject({ userId: "newbie", email: "new@elsewhere.test", nickname: "ﾆｭｰ" });
  });

  it("lets exactly one of two admins racing for the same address send the request", async () => {
    const { t, owner, invite } = await world();
    await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "ada", email: "ada@acme.test", password: PASSWORD } });
    const ada = await login(t, "ada");
    const [a, b] = await Promise.all([invite("race@x.test"), invite("race@x.test", ada.token)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
  });

  it("says when a link has expired or was revoked, and resending makes a new one", async () => {
    const { t, owner, j, invite, linkToken } = await world();
    const inv = await j(await invite("late@x.test"));
    const first = linkToken("late@x.test");
    t.clock.advance(8 * DAY);
    expect((await j(await t.request(`/api/v1/invitations/${first}`))).status).toBe("expired");
    expect((await j(await t.request(`/api/v1/invitations/${first}/accept`, { json: { userId: "late", password: PASSWORD } }))).code).toBe("token_expired");
    expect((await t.request(`/api/v1/admin/invitations/${inv.id}/resend`, { method: "POST", token: owner.token })).status).toBe(200);
    const second = linkToken("late@x.test");
    expect(second).not.toBe(first);
    expect((await j(await t.request(`/api/v1/invitations/${first}`))).code).toBe("invalid_token");
    await t.request(`/api/v1/admin/invitations/${inv.id}`, { method: "DELETE", token: owner.token });
    expect((await j(await t.request(`/api/v1/invitations/${second}/accept`, { json: { userId: "late", password: PASSWORD } }))).code).toBe("invalid_token");
    const list = await j(await t.request("/api/v1/admin/invitations?status=revoked", { token: owner.token }));
    expect(list.items.map((i: { email: string }) => i.email)).toEqual(["late@x.test"]);
  });

  it("resending an expired request while a newer one to the same address is pending answers 409 invitation_pending", async () => {
    const { t, owner, j, invite } = await world();
    const old = await j(await invite("twice@x.test"));
    t.clock.advance(8 * DAY);
    const newer = await invite("twice@x.test");
    expect(newer.status).toBe(201);
    const r = await t.request(`/api/v1/admin/invitations/${old.id}/resend`, { method: "POST", token: owner.token });
    expect(r.status).toBe(409);
    expect((await j(r)).code).toBe("invitation_pending");
    // The newer request is untouched and still the one pending.
    const pending = await j(await t.request("/api/v1/admin/invitations?status=pending", { token: owner.token }));
    expect(pending.items.map((i: { id: string }) => i.id)).toEqual([((await j(newer)) as { id: string }).id]);
  });

  it("writes the mail in the language asked for, again on a resend; a person with an account here gets their own", async () => {
    const { t, owner, j, invite } = await world();
    const sent = await invite("hanako@elsewhere.test", undefined, { language: "ja" });
    expect(sent.status).toBe(201);
    const request = await j(sent);
    expect(request).toMatchObject({ email: "hanako@elsewhere.test", language: "ja" });
    expect(t.mailbox.lastMessage("hanako@elsewhere.test")?.subject).toBe("「Acme」への参加のご案内");
    const id = request.id as string;
    expect((await t.request(`/api/v1/admin/invitations/${id}/resend`, { method: "POST", token: owner.token })).status).toBe(200);
    expect(t.mailbox.sent().filter((m) => m.toAddress === "hanako@elsewhere.test").map((m) => m.subject)).toEqual(["「Acme」への参加のご案内", "「Acme」への参加のご案内"]);

    // Without a language: the sender's (the owner reads English).
    await invite("bob@elsewhere.test");
    expect(t.mailbox.lastMessage("bob@elsewhere.test")?.subject).toBe("You are invited to join Acme");

    // A personal account that reads English gets English, whatever the admin chose for the others.
    await registerMember(t, "solo@gmail.test");
    expect(await j(await invite("solo@gmail.test", undefined, { language: "ja" }))).toMatchObject({ language: "en" });
    expect(t.mailbox.lastMessage("solo@gmail.test")?.subject).toBe("You are invited to join Acme");

    const bad = await invite("x@elsewhere.test", undefined, { language: "日本語!" });
    expect(bad.status).toBe(400);
    expect((await j(bad)).errors).toMatchObject({ language: expect.any(String) });
  });

  it("isolates organizations: another organization's admin gets 404 for every request and account", async () => {
    const { t, owner, globex, j, invite } = await world();
    const inv = await j(await invite("iso@x.test"));
    await t.request("/api/v1/admin/users", { token: owner.token, json: { type: "admin", userId: "gabe", email: "gabe@globex.test", password: PASSWORD, organizationId: globex.id } });
    const gabe = await login(t, "gabe");
    expect((await t.request(`/api/v1/admin/invitations/${inv.id}`, { method: "DELETE", token: gabe.token })).status).toBe(404);
    expect((await t.request(`/api/v1/admin/invitations/${inv.id}/resend`, { method: "POST", token: gabe.token })).status).toBe(404);
    expect((await j(await t.request("/api/v1/admin/invitations", { token: gabe.token }))).total).toBe(0);
    expect((await t.request(`/api/v1/admin/organizations/${globex.id}`, { method: "PATCH", token: gabe.token, json: { name: "Mine" } })).status).toBe(403);
    expect((await j(await t.request("/api/v1/admin/organizations", { token: gabe.token }))).items.map((o: { name: string }) => o.name)).toEqual(["Globex"]);
    // Naming Acme: refused with the field, rather than sent for Globex.
    const acmeId = (await j(await t.request("/api/v1/me", { token: owner.token }))).organization.id as string;
    const elsewhere = await invite("iso2@x.test", gabe.token, { organizationId: acmeId });
    expect(elsewhere.status).toBe(400);
    expect((await j(elsewhere)).errors).toHaveProperty("organizationId");
    expect((await j(await t.request("/api/v1/admin/invitations", { token: gabe.token }))).total).toBe(0);
  });

  it("regression: a refused single address says which field and why, as every other refusal does", async () => {
    const { j, invite } = await world();
    const bad = await invite("not-an-address");
    expect(bad.status).toBe(400);
    expect(await j(bad)).toMatchObject({ code: "validation_failed", errors: { email: "Enter a valid email address." } });
    const many = await j(await invite("fine@x.test, not-an-address"));
    expect(many.results).toEqual([
      expect.objectContaining({ email: "fine@x.test", status: "sent" }),
      expect.objectContaining({ email: "not-an-address", status: "error", code: "validation_failed", errors: { email: "Enter a valid email address." } }),
    ]);
  });

  it("claims a domain for one organization only; new registrations from it join that organization", async () => {
    const { t, owner, globex, j } = await world();
    const clash = await t.request(`/api/v1/admin/organizations/${globex.id}`, { method: "PATCH", token: owner.token, json: { domains: ["acme.test"] } });
    expect(clash.status).toBe(400);
    const m = await registerMember(t, "gwen@globex.test");
    expect((await j(await t.request("/api/v1/me", { token: m.token }))).organization.name).toBe("Globex");
  });
});
