import { describe, expect, it } from "vitest";
import { DAY } from "../clock.js";
import { t as translate } from "../i18n/index.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner } from "../test/harness.js";
import { accountByEmail, expectJson, expectProblem, loginRequest, register, type UserBody } from "../test/api.js";

async function member() {
  const t = createTestApp();
  await setupOwner(t);
  const ken = await registerMember(t, "ken@acme.test", { userId: "ken" });
  const change = (json: Record<string, unknown>) => t.request("/api/v1/me/email", { json, token: ken.token });
  const verify = (token: string) => t.request("/api/v1/auth/verify-email", { json: { token } });
  return { t, ken, change, verify };
}

describe("changing the email address (POST /api/v1/me/email)", () => {
  it("mails a link to the new address and a notice to the old; the link makes the change", async () => {
    const { t, ken, change, verify } = await member();
    expect((await change({ newEmail: "Ken.Sato@Example.test", password: PASSWORD })).status).toBe(202);
    // Nothing changes before the new address is confirmed.
    expect(accountByEmail(t, "ken@acme.test")?.id).toBe(ken.user.id);
    expect(t.mailbox.lastMessage("ken@acme.test")?.kind).toBe("email_change_notice");
    const mail = t.mailbox.lastMessage("Ken.Sato@Example.test");
    expect(mail?.kind).toBe("email_change");
    expect(t.mailbox.linkIn(mail)).toMatch(/\/verify-email\?token=[a-z2-7]+$/);

    const r = await expectJson<UserBody>(await verify(t.mailbox.tokenIn(mail)), 200);
    expect(r.user).toMatchObject({ id: ken.user.id, email: "Ken.Sato@Example.test", emailVerifiedAt: t.clock.now().toISOString() });
    await login(t, "ken.sato@example.test");
    await expectProblem(await loginRequest(t, "ken@acme.test", PASSWORD), 401, "invalid_credentials");
    await expectProblem(await verify(t.mailbox.tokenIn(mail)), 400, "invalid_token");
  });

  it.each([
    ["a wrong password", { newEmail: "new@example.test", password: "not my password" }, "password", "currentPassword.wrong"],
    ["no password", { newEmail: "new@example.test" }, "password", "field.required"],
    ["an invalid address", { newEmail: "not-an-address", password: PASSWORD }, "newEmail", "email.invalid"],
    ["the current address", { newEmail: "KEN@acme.test", password: PASSWORD }, "newEmail", "email.invalid"],
  ])("refuses %s with 400 and sends nothing", async (_, json, field, key) => {
    const { t, change } = await member();
    const before = t.mailbox.sent().length;
    const p = await expectProblem(await change(json), 400, "validation_failed");
    expect(p.errors?.[field]).toBe(translate("en", key));
    expect(t.mailbox.sent()).toHaveLength(before);
  });

  it("answers 202 alike for an address another account has, changes nothing, and mails that address something else", async () => {
    const { t, ken, change } = await member();
    await register(t, { email: "mari@example.test", password: PASSWORD });
    const free = await change({ newEmail: "free@example.test", password: PASSWORD });
    const taken = await change({ newEmail: "MARI@example.test", password: PASSWORD });
    expect(taken.status).toBe(free.status);
    expect(await taken.text()).toBe(await free.text());
    expect(t.mailbox.lastMessage("MARI@example.test")?.kind).toBe("email_change_taken");
    expect(t.mailbox.lastMessage("MARI@example.test")?.text).not.toMatch(/token=/);
    expect(accountByEmail(t, "ken@acme.test")?.id).toBe(ken.user.id);
    expect(accountByEmail(t, "mari@example.test")?.id).not.toBe(ken.user.id);
  });

  it("expires the link after 24 hours: 410 token_expired", async () => {
    const { t, change, verify } = await member();
    await change({ newEmail: "new@example.test", password: PASSWORD });
    t.clock.advance(DAY);
    await expectProblem(await verify(t.mailbox.tokenIn(t.mailbox.lastMessage("new@example.test"))), 410, "token_expired");
    expect(accountByEmail(t, "ken@acme.test")).toBeDefined();
  });

  it("refuses the link when the address was taken by someone else meanwhile", async () => {
    const { t, change, verify } = await member();
    await change({ newEmail: "new@example.test", password: PASSWORD });
    const token = t.mailbox.tokenIn(t.mailbox.lastMessage("new@example.test"));
    await register(t, { email: "new@example.test", password: PASSWORD });
    expect((await verify(token)).status).toBe(409);
    expect(accountByEmail(t, "ken@acme.test")).toBeDefined();
  });

  // Regression: a reset link mailed to the old address kept working after the address changed.
  it("voids password-reset links mailed to the old address once the new one is confirmed", async () => {
    const { t, change, verify } = await member();
    await t.request("/api/v1/auth/password-reset", { json: { email: "ken@acme.test" } });
    const reset = t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test"));
    await change({ newEmail: "new@example.test", password: PASSWORD });
    await expectJson(await verify(t.mailbox.tokenIn(t.mailbox.lastMessage("new@example.test"))), 200);
    await expectProblem(await t.request("/api/v1/auth/password-reset/confirm", { json: { token: reset, password: "taken over now" } }), 400, "invalid_token");
    await login(t, "new@example.test");
  });
});
