import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DAY } from "../clock.js";
import { accounts, auditLog, throttles } from "../db/schema.js";
import { fastHasher, type PasswordHasher } from "../auth/password.js";
import { login as logIn } from "./login.js";
import { createTestApp, login, ORIGIN, PASSWORD, registerMember, setupOwner } from "../test/harness.js";
import { expectJson, expectProblem, loginRequest, type LoginBody, type UserBody } from "../test/api.js";

async function withMember() {
  const t = createTestApp();
  await setupOwner(t);
  const member = await registerMember(t, "ken@acme.test", { userId: "ken" });
  return { t, member };
}

const me = (t: ReturnType<typeof createTestApp>, auth: { token?: string; cookie?: string }) => t.request("/api/v1/me", auth);

describe("logging in", () => {
  it.each(["ken@acme.test", "KEN@Acme.Test", " ken@acme.test ", "ken", "KEN", "Ken"])("works with %j (email or userId, any case)", async (name) => {
    const { t } = await withMember();
    const b = await expectJson<LoginBody>(await loginRequest(t, name, PASSWORD), 200);
    expect(b.token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
    expect(b.expiresAt).toBe(new Date(t.clock.now().getTime() + 30 * DAY).toISOString());
    expect(b.user).toMatchObject({ userId: "ken", email: "ken@acme.test", lastLoginAt: t.clock.now().toISOString() });
    expect(JSON.stringify(b)).not.toMatch(/passwordHash|\$argon2/);
  });

  it("answers a wrong password and an unknown login alike: 401 invalid_credentials", async () => {
    const { t } = await withMember();
    const wrong = await expectProblem(await loginRequest(t, "ken", "not my password"), 401, "invalid_credentials");
    const unknown = await expectProblem(await loginRequest(t, "nobody", "not my password"), 401, "invalid_credentials");
    const unknownEmail = await expectProblem(await loginRequest(t, "nobody@acme.test", PASSWORD), 401, "invalid_credentials");
    expect(unknown).toEqual(wrong);
    expect(unknownEmail).toEqual(wrong);
  });

  it("refuses a disabled account with 403 account_disabled, and only to someone who knows its password", async () => {
    const { t, member } = await withMember();
    t.db.update(accounts).set({ status: "disabled" }).where(eq(accounts.id, member.user.id)).run();
    await expectProblem(await loginRequest(t, "ken", PASSWORD), 403, "account_disabled");
    await expectProblem(await loginRequest(t, "ken", "not my password"), 401, "invalid_credentials");
  });

  it("gives every device its own session, named by the device field or the user agent", async () => {
    const { t, member } = await withMember();
    const phone = await expectJson<LoginBody>(await t.request("/api/v1/auth/login", { json: { login: "ken", password: PASSWORD, device: "Ken's phone" } }), 200);
    const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const laptop = await expectJson<LoginBody>(await t.request("/api/v1/auth/login", { json: { login: "ken", password: PASSWORD }, headers: { "user-agent": ua } }), 200);
    expect(new Set([member.token, phone.token, laptop.token]).size).toBe(3);
    const list = await expectJson<{ items: { device: string; current: boolean }[]; total: number }>(await t.request("/api/v1/me/sessions", { token: phone.token }), 200);
    expect(list.total).toBe(3);
    expect(list.items.map((s) => s.device)).toEqual(expect.arrayContaining(["Ken's phone", "Firefox on Linux"]));
    for (const token of [member.token, phone.token, laptop.token]) expect((await me(t, { token })).status).toBe(200);
  });
});

describe("logging in with full-width characters (input methods)", () => {
  async function withHanako() {
    const t = createTestApp();
    await setupOwner(t);
    const hanako = await registerMember(t, "tanaka.hanako@acme.test", { userId: "tanaka.hanako" });
    return { t, hanako };
  }

  it.each(["ｔａｎａｋａ．ｈａｎａｋｏ", "ＴＡＮＡＫＡ．ＨＡＮＡＫＯ", "ｔａｎａｋａ.hanako", "\u3000ｔａｎａｋａ．ｈａｎａｋｏ\u3000", "ｔａｎａｋａ．ｈａｎａｋｏ＠ａｃｍｅ．ｔｅｓｔ"])(
    "regression: %j logs in as tanaka.hanako (the login is NFKC-normalised)",
    async (name) => {
      const { t, hanako } = await withHanako();
      const b = await expectJson<LoginBody>(await loginRequest(t, name, PASSWORD), 200);
      expect(b.user).toMatchObject({ id: hanako.user.id, userId: "tanaka.hanako" });
    },
  );

  it("regression: failed full-width log ins count against the account they name, not against an unknown name", async () => {
    const { t, hanako } = await withHanako();
    for (let n = 0; n < 5; n++) await expectProblem(await loginRequest(t, "ｔａｎａｋａ．ｈａｎａｋｏ", "not my password"), 401, "invalid_credentials");
    // The fifth failure locked the account, whichever way its name is typed.
    await expectProblem(await loginRequest(t, "tanaka.hanako", PASSWORD), 429, "rate_limited");
    await expectProblem(await loginRequest(t, "ｔａｎａｋａ．ｈａｎａｋｏ", PASSWORD), 429, "rate_limited");
    expect(t.db.select().from(throttles).where(eq(throttles.key, `login-acct:${hanako.user.id}`)).get()?.count).toBe(5);
    expect(t.db.select().from(throttles).where(like(throttles.key, "login-acct:unknown:%")).all()).toEqual([]);
    const failed = t.db.select().from(auditLog).where(eq(auditLog.action, "login.failed")).all();
    expect(failed.map((a) => [a.targetId, a.targetLabel])).toEqual(Array(5).fill([hanako.user.id, "tanaka.hanako"]));

    // An unknown name typed either way is one subject: width variants give no extra attempts.
    await loginRequest(t, "ｎｏｂｏｄｙ", "x");
    await loginRequest(t, "nobody", "x");
    expect(t.db.select().from(throttles).where(like(throttles.key, "login-acct:unknown:%")).all()).toEqual([expect.objectContaining({ key: "login-acct:unknown:nobody", count: 2 })]);
  });

  it("hands the password to the hasher as typed: NFKC of the login field does not touch it", async () => {
    // SPEC §2: the hasher's normalizePassword is the one place a password is normalised.
    const { t } = await withHanako();
    const password = "ｆｕｌｌ　ｗｉｄｔｈ　ｐａｓｓ";
    const seen: string[] = [];
    const real = fastHasher();
    const hasher: PasswordHasher = { hash: (p) => (seen.push(p), real.hash(p)), verify: (h, p) => (seen.push(p), real.verify(h, p)) };
    const deps = { ...t.deps, hasher };
    const id = t.db.select().from(accounts).where(eq(accounts.userId, "tanaka.hanako")).get()?.id ?? "";
    t.db.update(accounts).set({ passwordHash: await real.hash(password) }).where(eq(accounts.id, id)).run();
    const r = await logIn(deps, { login: "ｔａｎａｋａ．ｈａｎａｋｏ", password }, { ip: "192.0.2.1", userAgent: "" });
    expect(r.user.userId).toBe("tanaka.hanako");
    // The log in's only call: the verify, with the password exactly as typed.
    expect(seen).toEqual([password]);
    // Typed the same way it logs in; a near miss does not. The hasher's own NFKC
    // (unchanged, SPEC §2) still makes the ASCII form the same password, as before.
    await expectJson(await loginRequest(t, "tanaka.hanako", password), 200);
    await expectProblem(await loginRequest(t, "tanaka.hanako", "ｆｕｌｌ　ｗｉｄｔｈ　ｐａｓ"), 401, "invalid_credentials");
    await expectJson(await loginRequest(t, "tanaka.hanako", "full width pass"), 200);
  });
});

describe("who is behind a request", () => {
  it("is found from a Bearer token and from the roster_session cookie", async () => {
    const { t, member } = await withMember();
    const bearer = await expectJson<UserBody["user"]>(await me(t, { token: member.token }), 200);
    const cookie = await expectJson<UserBody["user"]>(await me(t, { cookie: `roster_session=${member.token}` }), 200);
    expect(bearer).toMatchObject({ id: member.user.id, userId: "ken" });
    expect(cookie).toEqual(bearer);
  });

  it("gets the session cookie at log in: HttpOnly, SameSite=Lax, Path=/, Secure only on https", async () => {
    const { t } = await withMember();
    const plain = (await loginRequest(t, "ken", PASSWORD)).headers.get("set-cookie") ?? "";
    expect(plain).toMatch(/^roster_session=[a-z2-7]+\.[a-z2-7]+;/);
    expect(plain).toMatch(/HttpOnly/);
    expect(plain).toMatch(/SameSite=Lax/);
    expect(plain).toMatch(/Path=\//);
    expect(plain).not.toMatch(/Secure/);

    const s = createTestApp({ config: { baseUrl: "https://roster.test", secureCookies: true } });
    await setupOwner(s);
    expect((await loginRequest(s, "owner", PASSWORD)).headers.get("set-cookie")).toMatch(/; Secure/);
  });

  it.each([
    ["no token", {}],
    ["garbage", { token: "garbage" }],
    ["a token without a secret", { token: "abc." }],
    ["an unknown id", { token: "aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" }],
    ["an over-long token", { token: `${"a".repeat(150)}.${"b".repeat(150)}` }],
    ["a garbage cookie", { cookie: "roster_session=garbage" }],
  ])("is nobody for %s: 401 unauthenticated", async (_, auth) => {
    const { t } = await withMember();
    const r = await me(t, auth);
    await expectProblem(r, 401, "unauthenticated");
    // RFC 6750: a Bearer token that was sent and refused is an invalid_token; a cookie or nothing is only asked for one.
    expect(r.headers.get("www-authenticate")).toBe("token" in auth ? 'Bearer realm="roster", error="invalid_token"' : 'Bearer realm="roster"');
  });

  it("is nobody for a real session id with the wrong secret", async () => {
    const { t, member } = await withMember();
    const [id, secret = ""] = member.token.split(".");
    const other = secret.slice(0, -1) + (secret.endsWith("a") ? "b" : "a");
    await expectProblem(await me(t, { token: `${id}.${other}` }), 401, "unauthenticated");
    await expectProblem(await me(t, { token: `${id}.` }), 401, "unauthenticated");
    expect((await me(t, { token: member.token })).status).toBe(200);
  });

  it("is nobody once the account is disabled", async () => {
    const { t, member } = await withMember();
    t.db.update(accounts).set({ status: "disabled" }).where(eq(accounts.id, member.user.id)).run();
    await expectProblem(await me(t, { token: member.token }), 401, "unauthenticated");
  });
});

describe("logging out", () => {
  it("answers 204 and the token stops working; other devices stay logged in", async () => {
    const { t, member } = await withMember();
    const other = await login(t, "ken");
    expect((await t.request("/api/v1/auth/logout", { method: "POST", token: member.token })).status).toBe(204);
    await expectProblem(await me(t, { token: member.token }), 401, "unauthenticated");
    expect((await me(t, { token: other.token })).status).toBe(200);
  });

  it("with the cookie from our own pages clears the cookie; from another site it is refused (CSRF)", async () => {
    const { t, member } = await withMember();
    const cookie = `roster_session=${member.token}`;
    const cross = await t.request("/api/v1/auth/logout", { method: "POST", cookie, headers: { origin: "https://evil.test" } });
    await expectProblem(cross, 403, "forbidden");
    expect((await me(t, { cookie })).status).toBe(200);

    const r = await t.request("/api/v1/auth/logout", { method: "POST", cookie, headers: { origin: ORIGIN } });
    expect(r.status).toBe(204);
    expect(r.headers.get("set-cookie")).toMatch(/^roster_session=;.*Max-Age=0/);
    await expectProblem(await me(t, { cookie }), 401, "unauthenticated");
  });

  it("needs a session: 401 without one", async () => {
    const { t } = await withMember();
    await expectProblem(await t.request("/api/v1/auth/logout", { method: "POST", json: {} }), 401, "unauthenticated");
  });
});
