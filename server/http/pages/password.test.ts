import { describe, expect, it } from "vitest";
import { HOUR } from "../../clock.js";
import { createTestApp, setupOwner } from "../../test/harness.js";
import { pageLogin } from "./test-helpers.js";

const NEW_PASSWORD = "a brand new passphrase";

describe("forgotten password", () => {
  it("answers the same whether or not the address has an account", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const known = await t.request("/forgot-password", { form: { email: "owner@acme.test" } });
    const unknown = await t.request("/forgot-password", { form: { email: "nobody@acme.test" } });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const [a, b] = [await known.text(), await unknown.text()];
    expect(a).toContain("If the address has an account, a mail with a link is on its way.");
    expect(b).toBe(a);
    expect(t.mailbox.sent().filter((m) => m.toAddress === "nobody@acme.test")).toEqual([]);
  });

  it("following the mailed link sets a new password, ends every session and sends to the log-in page", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const oldCookie = await pageLogin(t, "owner");
    await t.request("/forgot-password", { form: { email: "owner@acme.test" } });
    const link = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("owner@acme.test")));
    const form = await t.request(link.pathname + link.search);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain(`<input type="hidden" name="token" value="${t.mailbox.tokenIn(t.mailbox.lastMessage("owner@acme.test"))}"/>`);

    const r = await t.request("/reset-password", { form: { token: link.searchParams.get("token") ?? "", password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD } });
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?notice=password_reset");
    expect((await t.request("/account", { cookie: oldCookie })).status).toBe(303);
    await pageLogin(t, "owner", NEW_PASSWORD);
    expect(await (await t.request("/login?notice=password_reset")).text()).toContain("Your new password is set");
  });

  it("two different passwords are refused on the second field and the link keeps working", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await t.request("/forgot-password", { form: { email: "owner@acme.test" } });
    const token = t.mailbox.tokenIn(t.mailbox.lastMessage("owner@acme.test"));
    const r = await t.request("/reset-password", { form: { token, password: NEW_PASSWORD, passwordConfirm: "something else" } });
    expect(r.status).toBe(400);
    const html = await r.text();
    expect(html).toContain('id="f-passwordConfirm-error">The two passwords differ.');
    expect(html).not.toContain(NEW_PASSWORD);
    const ok = await t.request("/reset-password", { form: { token, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD } });
    expect(ok.status).toBe(303);
  });

  it("an unknown or expired link says so at once and offers a new one", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const bogus = await t.request("/reset-password?token=not-a-real-token");
    expect(bogus.status).toBe(400);
    const html = await bogus.text();
    expect(html).toContain('href="/forgot-password"');
    // The title says what the page says, not "Choose a new password" over an error.
    expect(html).toContain("<title>This link or code is not valid · ");

    await t.request("/forgot-password", { form: { email: "owner@acme.test" } });
    const token = t.mailbox.tokenIn(t.mailbox.lastMessage("owner@acme.test"));
    t.clock.advance(2 * HOUR);
    const expired = await t.request(`/reset-password?token=${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link or code has expired.");
  });
});
