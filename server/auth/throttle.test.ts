import { describe, expect, it } from "vitest";
import { MINUTE } from "../clock.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { countAudit, expectJson, expectProblem, fromIp, loginRequest } from "../test/api.js";
import { atMostEvery, credentialSucceededIn, endCredentialCheck, hit, IP_FAILURE_LIMIT, LOGIN_FREE_FAILURES, LOGIN_MAX_DELAY, startCredentialCheck } from "./throttle.js";

const WRONG = "not the password";

async function withMember() {
  const t = createTestApp();
  await setupOwner(t);
  await registerMember(t, "ken@acme.test", { userId: "ken" });
  return t;
}

/** Fails `n` log ins, each from its own address, and expects each to be checked (401). */
async function fail(t: TestApp, login: string, n: number) {
  for (let i = 0; i < n; i++) await expectProblem(await loginRequest(t, login, WRONG, fromIp(`10.1.${n}.${i}`)), 401, "invalid_credentials");
}

async function retryAfter(r: Response): Promise<number> {
  await expectProblem(r, 429, "rate_limited");
  return Number(r.headers.get("retry-after"));
}

describe("per-account log-in throttle (SPEC §6)", () => {
  it("after 5 failures makes each further attempt wait 1 s, doubling, at most 15 minutes", async () => {
    const t = await withMember();
    await fail(t, "ken", LOGIN_FREE_FAILURES);
    const waits: number[] = [];
    for (let i = 0; i < 13; i++) {
      const wait = await retryAfter(await loginRequest(t, "ken", WRONG));
      waits.push(wait);
      t.clock.advance(wait * 1000);
      await expectProblem(await loginRequest(t, "ken@acme.test", WRONG), 401, "invalid_credentials");
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    expect(LOGIN_MAX_DELAY).toBe(15 * MINUTE);
  });

  it("refuses even the right password while the account waits, and accepts it after", async () => {
    const t = await withMember();
    await fail(t, "ken", 5);
    expect(await retryAfter(await loginRequest(t, "ken", PASSWORD))).toBe(1);
    t.clock.advance(999);
    expect(await retryAfter(await loginRequest(t, "ken", PASSWORD))).toBe(1);
    t.clock.advance(1);
    await login(t, "ken");
  });

  it("forgets the failures after a correct password", async () => {
    const t = await withMember();
    await fail(t, "ken", 4);
    await login(t, "ken");
    await fail(t, "ken", 5);
    await retryAfter(await loginRequest(t, "ken", WRONG));
  });

  it("counts failures by email and by userId, from any address, against the same account", async () => {
    const t = await withMember();
    await fail(t, "ken", 2);
    await fail(t, "KEN@acme.test", 3);
    await retryAfter(await loginRequest(t, "Ken", PASSWORD, fromIp("192.0.2.99")));
  });

  it("does not slow other accounts down", async () => {
    const t = await withMember();
    await fail(t, "ken", 5);
    await retryAfter(await loginRequest(t, "ken", PASSWORD));
    await login(t, "owner");
  });

  it("throttles a login that names no account the same way, so the answers tell nothing", async () => {
    const t = await withMember();
    const known: Response[] = [];
    const unknown: Response[] = [];
    for (let i = 0; i < 6; i++) {
      known.push(await loginRequest(t, "ken", WRONG, fromIp(`10.2.0.${i}`)));
      unknown.push(await loginRequest(t, "ghost", WRONG, fromIp(`10.3.0.${i}`)));
    }
    const shape = async (r: Response) => ({ status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.text() });
    expect(await Promise.all(unknown.map(shape))).toEqual(await Promise.all(known.map(shape)));
    expect(unknown.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it.each([20, 50])("lets at most 5 of %i parallel wrong-password attempts be checked", async (n) => {
    const t = await withMember();
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => loginRequest(t, i % 2 ? "ken" : "ken@acme.test", WRONG, fromIp(`10.4.0.${i}`))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_FREE_FAILURES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(n - LOGIN_FREE_FAILURES);
    expect(countAudit(t, "login.failed")).toBe(LOGIN_FREE_FAILURES);
  });

  it("lets 30 devices log in to one account at once: checks under way are waited for, not refused (successes do not count)", async () => {
    const t = await withMember();
    const before = countAudit(t, "login.succeeded");
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => loginRequest(t, "ken", PASSWORD, fromIp(`10.5.0.${i}`))));
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(countAudit(t, "login.succeeded") - before).toBe(30);
    // Nothing was left counted against the account.
    await fail(t, "ken", LOGIN_FREE_FAILURES);
    await retryAfter(await loginRequest(t, "ken", WRONG));
  });

  it("still refuses the parallel attempts once the checks they waited for turned out wrong", async () => {
    const t = await withMember();
    // Five wrong and then ten right, all at once: the five are checked first and lock the account.
    const wrong = Array.from({ length: LOGIN_FREE_FAILURES }, (_, i) => loginRequest(t, "ken", WRONG, fromIp(`10.6.0.${i}`)));
    const right = Array.from({ length: 10 }, (_, i) => loginRequest(t, "ken", PASSWORD, fromIp(`10.6.1.${i}`)));
    const statuses = (await Promise.all([...wrong, ...right])).map((r) => r.status);
    expect(statuses.slice(0, LOGIN_FREE_FAILURES)).toEqual(Array(LOGIN_FREE_FAILURES).fill(401));
    expect(statuses.slice(LOGIN_FREE_FAILURES)).toEqual(Array(10).fill(429));
  });

  it("waits at most a bounded time for checks that do not end", async () => {
    const t = await withMember();
    const held = await Promise.all(Array.from({ length: LOGIN_FREE_FAILURES }, () => startCredentialCheck(t.deps, "acct-x", "10.7.0.1")));
    const started = performance.now();
    await expect(startCredentialCheck(t.deps, "acct-x", "10.7.0.2", 50)).rejects.toMatchObject({ code: "rate_limited" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // One ends as a success: the one waiting gets its turn at once.
    const waiting = startCredentialCheck(t.deps, "acct-x", "10.7.0.3", 5_000);
    t.db.transaction((tx) => credentialSucceededIn(tx, held[0]!));
    endCredentialCheck(t.deps, held[0]!);
    await expect(waiting).resolves.toMatchObject({ accountKey: "login-acct:acct-x" });
  });
});

describe("per-address log-in throttle (SPEC §6)", () => {
  const ip = fromIp("203.0.113.7");

  it("allows 50 failures in 5 minutes from one address, then answers 429 to anyone from it until the window ends", async () => {
    const t = await withMember();
    for (let i = 0; i < IP_FAILURE_LIMIT; i++) await expectProblem(await loginRequest(t, `ghost${i}`, WRONG, ip), 401, "invalid_credentials");
    t.clock.advance(MINUTE);
    expect(await retryAfter(await loginRequest(t, "ken", PASSWORD, ip))).toBe(4 * 60);
    // Other addresses are not affected.
    await expectJson(await loginRequest(t, "ken", PASSWORD, fromIp("203.0.113.8")), 200);
    t.clock.advance(4 * MINUTE);
    await expectJson(await loginRequest(t, "ken", PASSWORD, ip), 200);
  });

  it("does not count successful log ins: many people share one proxy address", async () => {
    const t = await withMember();
    for (let i = 0; i < 80; i++) await expectJson(await loginRequest(t, i % 2 ? "ken" : "owner", PASSWORD, ip), 200);
    for (let i = 0; i < IP_FAILURE_LIMIT; i++) await expectProblem(await loginRequest(t, `ghost${i}`, WRONG, ip), 401, "invalid_credentials");
    await retryAfter(await loginRequest(t, "ghost-next", WRONG, ip));
  });

  it("lets 80 people behind one proxy address log in at once: checks under way are waited for, not refused", async () => {
    const t = await withMember();
    const responses = await Promise.all(Array.from({ length: 80 }, (_, i) => loginRequest(t, i % 2 ? "ken" : "owner", PASSWORD, ip)));
    expect(responses.map((r) => r.status)).toEqual(Array(80).fill(200));
  });

  it("lets no more than 50 parallel failures from one address be checked", async () => {
    const t = await withMember();
    const responses = await Promise.all(Array.from({ length: 70 }, (_, i) => loginRequest(t, `ghost${i}`, WRONG, ip)));
    expect(responses.filter((r) => r.status === 401)).toHaveLength(IP_FAILURE_LIMIT);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(20);
  });
});

describe("hit and atMostEvery", () => {
  it("allow `limit` hits per window and then refuse with the seconds left", () => {
    const t = createTestApp();
    for (let i = 0; i < 3; i++) hit(t.deps, "k", 3, MINUTE);
    t.clock.advance(20_000);
    expect(() => hit(t.deps, "k", 3, MINUTE)).toThrow(expect.objectContaining({ code: "rate_limited", retryAfter: 40 }));
    t.clock.advance(40_000);
    expect(() => hit(t.deps, "k", 3, MINUTE)).not.toThrow();
    expect(() => hit(t.deps, "other", 3, MINUTE)).not.toThrow();
  });

  it("atMostEvery allows one hit per interval", () => {
    const t = createTestApp();
    atMostEvery(t.deps, "r", MINUTE);
    expect(() => atMostEvery(t.deps, "r", MINUTE)).toThrow(expect.objectContaining({ code: "rate_limited", retryAfter: 60 }));
    t.clock.advance(MINUTE);
    expect(() => atMostEvery(t.deps, "r", MINUTE)).not.toThrow();
  });
});
