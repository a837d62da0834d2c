import { describe, expect, it } from "vitest";
import { DAY } from "../../clock.js";
import { createTestApp, PASSWORD, registerMember, setupOwner } from "../../test/harness.js";
import { cookieFrom, HOSTILE, pageLogin, setCookieLine } from "./test-helpers.js";
import { accountRow, visibleText } from "./admin-org-world.js";

async function world() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const invite = async (email: string, extra: Record<string, unknown> = {}) => {
    const r = await t.request("/api/v1/admin/invitations", { token: owner.token, json: { email, ...extra } });
    if (r.status !== 201) throw new Error(`invite failed: ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { id: string };
    return { id: body.id, path: new URL(t.mailbox.linkIn(t.mailbox.lastMessage(email))).pathname };
  };
  return { t, owner, invite };
}

describe("/invite/:token for a newcomer", () => {
  it("shows the organization, creates the account, and ends logged in on /account", async () => {
    const { t, invite } = await world();
    const { path } = await invite("new@elsewhere.test", { message: "See you on Monday" });
    const page = await t.request(path);
    expect(page.status).toBe(200);
    const text = visibleText(await page.text());
    expect(text).toContain("Join Acme");
    expect(text).toContain("This request was sent to new@elsewhere.test to join Acme");
    expect(text).toContain("See you on Monday");

    const r = await t.request(path, { form: { userId: "newbie", nickname: "New", password: PASSWORD } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/account");
    const cookie = cookieFrom(r);
    const account = await (await t.request("/account", { cookie })).text();
    expect(account).toContain('<dd class="mono" id="account-user-id">newbie</dd>');
    expect(visibleText(account)).toContain("Organization Acme");
    expect(accountRow(t, "newbie")).toMatchObject({ status: "active", email: "new@elsewhere.test" });
    // Used up: the link now says so.
    const used = await t.request(path);
    expect(used.status).toBe(410);
    expect(visibleText(await used.text())).toContain("This registration request to join Acme has already been accepted.");
  });

  it("shows errors on the form with what was typed (never the password)", async () => {
    const { t, invite } = await world();
    const { path } = await invite("new@elsewhere.test");
    const weak = await t.request(path, { form: { userId: "newbie", nickname: HOSTILE[0]!, password: "newbie" } });
    expect(weak.status).toBe(400);
    const html = await weak.text();
    expect(html).toContain('id="f-password-error"');
    expect(html).toContain('value="newbie"');
    expect(html).not.toContain(HOSTILE[0]);
    const taken = await t.request(path, { form: { userId: "owner", password: PASSWORD } });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain("This user ID is already taken.");
    expect(setCookieLine(taken, "roster_session")).toBeUndefined();
    // Both wrong: both fields are marked at once.
    const both = await (await t.request(path, { form: { userId: "owner", password: "owner" } })).text();
    expect(both).toContain('id="f-password-error"');
    expect(both).toContain('id="f-userId-error"');
  });
});

describe("/invite/:token for a dead link", () => {
  it("says an expired request has expired and whom to ask", async () => {
    const { t, invite } = await world();
    const { path } = await invite("late@x.test");
    t.clock.advance(8 * DAY);
    const r = await t.request(path);
    expect(r.status).toBe(410);
    const text = visibleText(await r.text());
    expect(text).toContain("This request has expired");
    expect(text).toContain("Ask the administrator of Acme to send you a new registration request.");
    expect(text).not.toContain("Create my account");
    const post = await t.request(path, { form: { userId: "late", password: PASSWORD } });
    expect(post.status).toBe(410);
    expect(accountRow(t, "late")).toBeUndefined();
  });

  it("says a revoked request was withdrawn, and an unknown link is not valid", async () => {
    const { t, owner, invite } = await world();
    const { id, path } = await invite("gone@x.test");
    await t.request(`/api/v1/admin/invitations/${id}`, { method: "DELETE", token: owner.token });
    const r = await t.request(path);
    expect(r.status).toBe(410);
    expect(visibleText(await r.text())).toContain("An administrator of Acme withdrew this registration request.");
    const unknown = await t.request("/invite/abcdefghijklmnopqrstuvwxyz234567");
    expect(unknown.status).toBe(404);
    expect(visibleText(await unknown.text())).toContain("This registration link is not valid.");
  });
});

describe("/invite/:token for a personal account", () => {
  it("logs in on the page, confirms, and moves the same account into the organization", async () => {
    const { t, invite } = await world();
    const solo = await registerMember(t, "solo@gmail.test", { userId: "solo" });
    const { path } = await invite("solo@gmail.test");

    const anon = await (await t.request(path)).text();
    expect(anon).toContain(`action="${path}/login"`);
    expect(anon).toContain('name="login" type="text" value="solo@gmail.test"');

    const wrong = await t.request(`${path}/login`, { form: { login: "solo@gmail.test", password: "not the password" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("The email address (or user ID) or the password is wrong.");

    const logged = await t.request(`${path}/login`, { form: { login: "solo@gmail.test", password: PASSWORD } });
    expect(logged.status).toBe(303);
    expect(logged.headers.get("location")).toBe(path);
    const cookie = cookieFrom(logged);

    const confirm = await t.request(path, { cookie });
    const text = visibleText(await confirm.text());
    expect(text).toContain("Your account and all its data move into Acme.");
    expect(text).toContain("Register");

    const moved = await t.request(`${path}/accept`, { cookie, form: {} });
    expect(moved.status).toBe(303);
    expect(moved.headers.get("location")).toBe("/account?notice=joined");
    expect(accountRow(t, "solo")).toMatchObject({ id: solo.user.id, organizationId: accountRow(t, "owner")!.organizationId });
    expect(visibleText(await (await t.request("/account", { cookie })).text())).toContain("Organization Acme");
  });

  it("tells someone logged in as another account whose request it is, and lets them switch", async () => {
    const { t, invite } = await world();
    await registerMember(t, "solo@gmail.test", { userId: "solo" });
    await registerMember(t, "stranger@gmail.test", { userId: "stranger" });
    const { path } = await invite("solo@gmail.test");
    const cookie = await pageLogin(t, "stranger");
    const text = visibleText(await (await t.request(path, { cookie })).text());
    expect(text).toContain("This request is for solo@gmail.test.");
    expect(text).toContain("You are logged in as stranger.");
    expect(text).not.toContain("Your account and all its data move");

    // Pressing Register anyway changes nothing.
    const forced = await t.request(`${path}/accept`, { cookie, form: {} });
    expect(forced.headers.get("location")).toBe(path);
    expect(accountRow(t, "solo")?.organizationId).toBeNull();
    expect(accountRow(t, "stranger")?.organizationId).toBeNull();

    const out = await t.request(`${path}/logout`, { cookie, form: {} });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe(path);
    expect(setCookieLine(out, "roster_session")).toMatch(/Max-Age=0/);
    expect((await t.request("/account", { cookie })).status).toBe(303);
  });
});

describe("/invite/:token when the address's account is already settled", () => {
  it("explains an existing member and an account managed by another organization", async () => {
    const { t, owner, invite } = await world();
    const member = await invite("later@acme.test");
    const elsewhere = await invite("gil@globex.test");
    const globex = (await (await t.request("/api/v1/admin/organizations", { token: owner.token, json: { name: "Globex" } })).json()) as { id: string };
    await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "later", email: "later@acme.test", password: PASSWORD } });
    await t.request("/api/v1/admin/users", { token: owner.token, json: { userId: "gil", email: "gil@globex.test", password: PASSWORD, organizationId: globex.id } });

    expect(visibleText(await (await t.request(member.path)).text())).toContain("The account of later@acme.test is already a member of Acme.");
    const other = visibleText(await (await t.request(elsewhere.path)).text());
    expect(other).toContain("The account of gil@globex.test is managed by another organization, so it cannot join Acme.");
    expect(other).not.toContain("Create my account");
  });
});
