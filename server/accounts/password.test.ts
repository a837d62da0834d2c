import { describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../clock.js";
import { t as translate } from "../i18n/index.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { auditActions, expectProblem, fromIp, loginRequest, register } from "../test/api.js";

const en = (key: string) => translate("en", key);
const NEW = "a brand new secret";

async function member() {
  const t = createTestApp();
  await setupOwner(t);
  const ken = await registerMember(t, "ken@acme.test", { userId: "ken" });
  const other = await login(t, "ken");
  const alive = async (token: string) => (await t.request("/api/v1/me", { token })).status === 200;
  const change = (json: Record<string, unknown>, token = ken.token) => t.request("/api/v1/me/password", { json, token });
  return { t, ken, other, alive, change };
}

describe("changing the password (POST /api/v1/me/password)", () => {
  it("sets it, ends every other session, keeps the current one and mails a notice", async () => {
    const { t, ken, other, alive, change } = await member();
    const before = t.mailbox.sent().length;
    expect((await change({ currentPassword: PASSWORD, newPassword: NEW })).status).toBe(204);
    expect(await alive(ken.token)).toBe(true);
    expect(await alive(other.token)).toBe(false);
    await login(t, "ken", NEW);
    await expectProblem(await loginRequest(t, "ken", PASSWORD), 401, "invalid_credentials");
    expect(t.mailbox.sent()).toHaveLength(before + 1);
    expect(t.mailbox.lastMessage("ken@acme.test")?.kind).toBe("password_changed");
    expect(auditActions(t)).toContain("account.password_changed");
  });

  it("answers 400 with errors.currentPassword for a wrong current password and changes nothing", async () => {
    const { t, other, alive, change } = await member();
    const p = await expectProblem(await change({ currentPassword: "not it at all", newPassword: NEW }), 400, "validation_failed");
    expect(p.errors).toEqual({ currentPassword: en("currentPassword.wrong") });
    expect(await alive(other.token)).toBe(true);
    await login(t, "ken");
  });

  it("counts wrong current passwords against the account's log-in throttle", async () => {
    const { change } = await member();
    for (let i = 0; i < 5; i++) await expectProblem(await change({ currentPassword: "not it at all", newPassword: NEW }), 400, "validation_failed");
    await expectProblem(await change({ currentPassword: PASSWORD, newPassword: NEW }), 429, "rate_limited");
  });

  it.each([
    ["too short", "short", "password.tooShort"],
    ["equal to the email", "Ken@Acme.test", "password.equalsEmail"],
    ["common", "iloveyou123", "password.common"],
  ])("refuses a new password %s with 400 weak_password on newPassword", async (_, newPassword, reason) => {
    const { t, other, alive, change } = await member();
    const p = await expectProblem(await change({ currentPassword: PASSWORD, newPassword }), 400, "weak_password");
    expect(p.errors).toEqual({ newPassword: en(reason) });
    expect(await alive(other.token)).toBe(true);
    await login(t, "ken");
  });

  it("refuses a new password equal to the userId", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const ken = await registerMember(t, "ken@acme.test", { userId: "kenji.sato" });
    const p = await expectProblem(await t.request("/api/v1/me/password", { json: { currentPassword: PASSWORD, newPassword: "Kenji.Sato" }, token: ken.token }), 400, "weak_password");
    expect(p.errors).toEqual({ newPassword: en("password.equalsUserId") });
  });
});

describe("resetting a forgotten password", () => {
  const ask = (t: TestApp, email: string, headers?: Record<string, string>) => t.request("/api/v1/auth/password-reset", { json: { email }, headers });
  const confirm = (t: TestApp, token: string, password: string) => t.request("/api/v1/auth/password-reset/confirm", { json: { token, password } });

  it("always answers 202, and mails only an address that has an account", async () => {
    const { t } = await member();
    const before = t.mailbox.sent().length;
    expect((await ask(t, "nobody@acme.test")).status).toBe(202);
    expect(t.mailbox.sent()).toHaveLength(before);
    expect((await ask(t, "KEN@acme.test")).status).toBe(202);
    expect(t.mailbox.sent()).toHaveLength(before + 1);
    const mail = t.mailbox.lastMessage("ken@acme.test");
    expect(mail?.kind).toBe("password_reset");
    expect(t.mailbox.linkIn(mail)).toMatch(/\/reset-password\?token=[a-z2-7]+$/);
  });

  it("sets the password with the link once, and ends every session", async () => {
    const { t, ken, other, alive } = await member();
    await ask(t, "ken@acme.test");
    const token = t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test"));
    expect((await confirm(t, token, NEW)).status).toBe(204);
    expect(await alive(ken.token)).toBe(false);
    expect(await alive(other.token)).toBe(false);
    await login(t, "ken", NEW);
    await expectProblem(await loginRequest(t, "ken", PASSWORD), 401, "invalid_credentials");
    await expectProblem(await confirm(t, token, "yet another secret"), 400, "invalid_token");
    await login(t, "ken", NEW);
  });

  it("lifts the lock that wrong passwords put on the account: the person logs in at once with the new password", async () => {
    const { t } = await member();
    for (let i = 0; i < 8; i++) await loginRequest(t, "ken", "wrong guess");
    await expectProblem(await loginRequest(t, "ken", PASSWORD), 429, "rate_limited");
    await ask(t, "ken@acme.test");
    expect((await confirm(t, t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test")), NEW)).status).toBe(204);
    await login(t, "ken", NEW);
  });

  it("expires after an hour: 410 token_expired (and works a minute before)", async () => {
    const a = await member();
    await ask(a.t, "ken@acme.test");
    a.t.clock.advance(HOUR);
    await expectProblem(await confirm(a.t, a.t.mailbox.tokenIn(a.t.mailbox.lastMessage("ken@acme.test")), NEW), 410, "token_expired");
    await login(a.t, "ken");

    const b = await member();
    await ask(b.t, "ken@acme.test");
    b.t.clock.advance(HOUR - MINUTE);
    expect((await confirm(b.t, b.t.mailbox.tokenIn(b.t.mailbox.lastMessage("ken@acme.test")), NEW)).status).toBe(204);
  });

  it("leaves the link usable after a weak password", async () => {
    const { t, ken, alive } = await member();
    await ask(t, "ken@acme.test");
    const token = t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test"));
    const p = await expectProblem(await confirm(t, token, "password123"), 400, "weak_password");
    expect(p.errors).toEqual({ password: en("password.common") });
    expect(await alive(ken.token)).toBe(true);
    expect((await confirm(t, token, NEW)).status).toBe(204);
  });

  it("makes only the newest link work", async () => {
    const { t } = await member();
    await ask(t, "ken@acme.test");
    const first = t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test"));
    await ask(t, "ken@acme.test");
    const second = t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test"));
    await expectProblem(await confirm(t, first, NEW), 400, "invalid_token");
    expect((await confirm(t, second, NEW)).status).toBe(204);
  });

  it.each(["garbage!", "a".repeat(32), "", "a".repeat(201)])("answers invalid_token for a link that is not one (%j)", async (token) => {
    const { t } = await member();
    await expectProblem(await confirm(t, token, NEW), 400, "invalid_token");
  });

  it("confirms a pending account's address (the link came to it by mail)", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await register(t, { email: "ken@acme.test", password: PASSWORD });
    await ask(t, "ken@acme.test");
    expect((await confirm(t, t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test")), NEW)).status).toBe(204);
    await login(t, "ken@acme.test", NEW);
  });

  it("mails an address at most 3 times in 15 minutes, still answering 202", async () => {
    const { t } = await member();
    const before = t.mailbox.sent().length;
    for (let i = 0; i < 5; i++) expect((await ask(t, "ken@acme.test", fromIp(`10.9.0.${i}`))).status).toBe(202);
    expect(t.mailbox.sent()).toHaveLength(before + 3);
    t.clock.advance(15 * MINUTE);
    expect((await ask(t, "ken@acme.test")).status).toBe(202);
    expect(t.mailbox.sent()).toHaveLength(before + 4);
  });

  it("mails an address at most 3 times however many requests arrive at once", async () => {
    const { t } = await member();
    const before = t.mailbox.sent().length;
    const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(t, "ken@acme.test", fromIp(`10.8.0.${i}`))));
    expect(rs.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(t.mailbox.sent()).toHaveLength(before + 3);
  });

  it("throttles one client address: 429 after 30 requests in 15 minutes", async () => {
    const { t } = await member();
    const ip = fromIp("198.51.100.1");
    for (let i = 0; i < 30; i++) expect((await ask(t, `someone${i}@acme.test`, ip)).status).toBe(202);
    const r = await ask(t, "ken@acme.test", ip);
    await expectProblem(r, 429, "rate_limited");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
