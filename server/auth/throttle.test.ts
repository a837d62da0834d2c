import { describe, expect, it } from "vitest";
import { MINUTE } from "../clock.js";
import { createTestApp, login, PASSWORD } from "../test/harness.js";
import { countAudit, expectJson, expectProblem, fromIp, loginRequest } from "../test/api.js";
import { fail, retryAfter, withMember, WRONG } from "../test/login-throttle.js";
import { atMostEvery, hit, IP_FAILURE_LIMIT, LOGIN_FREE_FAILURES, LOGIN_MAX_DELAY } from "./throttle.js";

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
