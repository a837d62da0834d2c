import { describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../clock.js";
import { createTestApp, login, PASSWORD, setupOwner } from "../test/harness.js";
import { expectJson, expectProblem, loginRequest, register, type UserBody } from "../test/api.js";

const EMAIL = "ken@acme.test";
/** "ken@acme.test" → "ｋｅｎ＠ａｃｍｅ．ｔｅｓｔ", as a Japanese input method types it. */
const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

async function pendingMember() {
  const t = createTestApp();
  await setupOwner(t);
  await expectJson(await register(t, { email: EMAIL, password: PASSWORD }), 201);
  const mail = t.mailbox.lastMessage(EMAIL);
  const token = t.mailbox.tokenIn(mail);
  const code = t.mailbox.codeIn(mail);
  const verify = (json: Record<string, unknown>) => t.request("/api/v1/auth/verify-email", { json });
  return { t, token, code, verify, wrong: String((Number(code) + 1) % 1_000_000).padStart(6, "0") };
}

describe("confirming an email address", () => {
  it.each([
    ["the link's token", (m: { token: string; code: string }) => ({ token: m.token })],
    ["the email and the 6-digit code", (m: { token: string; code: string }) => ({ email: EMAIL, code: m.code })],
    ["the email in another case and the code", (m: { token: string; code: string }) => ({ email: "KEN@Acme.test", code: m.code })],
    // Regression: an input method's full-width digits were refused as code.invalid.
    ["the email and the code in full-width characters", (m: { token: string; code: string }) => ({ email: fullWidth(EMAIL), code: fullWidth(m.code) })],
  ])("with %s activates the account", async (_, body) => {
    const m = await pendingMember();
    const r = await expectJson<UserBody>(await m.verify(body(m)), 200);
    expect(r.user).toMatchObject({ email: EMAIL, status: "active", organization: { name: "Acme" } });
    expect(r.user.emailVerifiedAt).toBe(m.t.clock.now().toISOString());
    await login(m.t, EMAIL);
  });

  it("answers invalid_token for a wrong code", async () => {
    const m = await pendingMember();
    const p = await expectProblem(await m.verify({ email: EMAIL, code: m.wrong }), 400, "invalid_token");
    expect(p.errors).toHaveProperty("code");
    await expectProblem(await loginRequest(m.t, EMAIL, PASSWORD), 403, "email_not_verified");
  });

  it("answers the same invalid_token for a code sent for an address with no pending account", async () => {
    const m = await pendingMember();
    const unknown = await expectProblem(await m.verify({ email: "nobody@acme.test", code: m.code }), 400, "invalid_token");
    const wrong = await expectProblem(await m.verify({ email: EMAIL, code: m.wrong }), 400, "invalid_token");
    expect(unknown).toEqual(wrong);
  });

  it("voids the code after 5 wrong ones (the right code then fails) while the link still works", async () => {
    const m = await pendingMember();
    for (let i = 0; i < 5; i++) await expectProblem(await m.verify({ email: EMAIL, code: m.wrong }), 400, "invalid_token");
    await expectProblem(await m.verify({ email: EMAIL, code: m.code }), 400, "invalid_token");
    const r = await expectJson<UserBody>(await m.verify({ token: m.token }), 200);
    expect(r.user.status).toBe("active");
  });

  it("accepts the right code after 4 wrong ones", async () => {
    const m = await pendingMember();
    for (let i = 0; i < 4; i++) await expectProblem(await m.verify({ email: EMAIL, code: m.wrong }), 400, "invalid_token");
    await expectJson(await m.verify({ email: EMAIL, code: m.code }), 200);
  });

  it.each([
    ["link", (m: { token: string; code: string }) => ({ token: m.token })],
    ["code", (m: { token: string; code: string }) => ({ email: EMAIL, code: m.code })],
  ])("answers 410 token_expired for a %s 24 hours old, and accepts it a minute before", async (_, body) => {
    const m = await pendingMember();
    m.t.clock.advance(24 * HOUR);
    await expectProblem(await m.verify(body(m)), 410, "token_expired");

    const fresh = await pendingMember();
    fresh.t.clock.advance(24 * HOUR - MINUTE);
    await expectJson(await fresh.verify(body(fresh)), 200);
  });

  it("answers invalid_token for a link used already, and for the link once the code confirmed the address", async () => {
    const a = await pendingMember();
    await expectJson(await a.verify({ token: a.token }), 200);
    await expectProblem(await a.verify({ token: a.token }), 400, "invalid_token");
    await expectProblem(await a.verify({ email: EMAIL, code: a.code }), 400, "invalid_token");

    const b = await pendingMember();
    await expectJson(await b.verify({ email: EMAIL, code: b.code }), 200);
    await expectProblem(await b.verify({ token: b.token }), 400, "invalid_token");
  });

  it.each([
    ["garbage", "not a token!"],
    ["too short", "abc"],
    ["well-formed but unknown", "a".repeat(32)],
  ])("answers invalid_token for a %s token", async (_, token) => {
    const m = await pendingMember();
    await expectProblem(await m.verify({ token }), 400, "invalid_token");
  });

  it("does not take a password-reset link as a confirmation link", async () => {
    const m = await pendingMember();
    await m.t.request("/api/v1/auth/password-reset", { json: { email: EMAIL } });
    const resetToken = m.t.mailbox.tokenIn(m.t.mailbox.lastMessage(EMAIL));
    await expectProblem(await m.verify({ token: resetToken }), 400, "invalid_token");
  });
});

describe("resending the confirmation mail", () => {
  const resend = (m: Awaited<ReturnType<typeof pendingMember>>, email = EMAIL) => m.t.request("/api/v1/auth/resend-verification", { json: { email } });
  /** A pending account past the minute that registering starts (its mail counts as the first one sent). */
  const pendingAMinute = async () => {
    const m = await pendingMember();
    m.t.clock.advance(60_000);
    return m;
  };

  it("is allowed once a minute: 202, then 429 with Retry-After, then 202 after 60 s", async () => {
    const m = await pendingAMinute();
    const before = m.t.mailbox.sent().length;
    expect((await resend(m)).status).toBe(202);
    expect(m.t.mailbox.sent()).toHaveLength(before + 1);

    m.t.clock.advance(30_000);
    const r = await resend(m, "Ken@ACME.test");
    await expectProblem(r, 429, "rate_limited");
    expect(Number(r.headers.get("retry-after"))).toBe(30);
    expect(m.t.mailbox.sent()).toHaveLength(before + 1);

    m.t.clock.advance(30_000);
    expect((await resend(m)).status).toBe(202);
    expect(m.t.mailbox.sent()).toHaveLength(before + 2);
  });

  it("waits a minute after registering too, for a new account and for a taken address alike", async () => {
    const t = createTestApp();
    await setupOwner(t);
    for (const email of ["new@acme.test", "owner@acme.test"]) {
      await expectJson(await register(t, { email, password: PASSWORD }), 201);
      const r = await t.request("/api/v1/auth/resend-verification", { json: { email } });
      await expectProblem(r, 429, "rate_limited");
      expect(r.headers.get("retry-after")).toBe("60");
    }
    t.clock.advance(60_000);
    expect((await t.request("/api/v1/auth/resend-verification", { json: { email: "new@acme.test" } })).status).toBe(202);
  });

  it("makes only the newest link and code work", async () => {
    const m = await pendingAMinute();
    expect((await resend(m)).status).toBe(202);
    const mail = m.t.mailbox.lastMessage(EMAIL);
    expect(mail?.kind).toBe("verify_email");
    await expectProblem(await m.verify({ token: m.token }), 400, "invalid_token");
    await expectJson(await m.verify({ email: EMAIL, code: m.t.mailbox.codeIn(mail) }), 200);
  });

  it.each([
    ["an unknown address", "nobody@acme.test"],
    ["an account that is already active", "owner@acme.test"],
  ])("answers 202 for %s too, and sends nothing", async (_, email) => {
    const m = await pendingAMinute();
    const before = m.t.mailbox.sent().length;
    expect((await resend(m, email)).status).toBe(202);
    expect(m.t.mailbox.sent()).toHaveLength(before);
  });
});

describe("logging in before confirming", () => {
  it("answers 403 email_not_verified with the right password only; a wrong one is 401", async () => {
    const m = await pendingMember();
    await expectProblem(await loginRequest(m.t, EMAIL, PASSWORD), 403, "email_not_verified");
    await expectProblem(await loginRequest(m.t, "ken", PASSWORD), 403, "email_not_verified");
    await expectProblem(await loginRequest(m.t, EMAIL, "not the password"), 401, "invalid_credentials");
  });
});
