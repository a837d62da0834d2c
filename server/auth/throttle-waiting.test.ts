import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { checkPassword } from "../accounts/login.js";
import { findByLogin } from "../accounts/store.js";
import { accounts } from "../db/schema.js";
import { PASSWORD } from "../test/harness.js";
import { countAudit, fromIp, loginRequest } from "../test/api.js";
import { credentialSucceededIn, endCredentialCheck, LOGIN_FREE_FAILURES, startCredentialCheck } from "./throttle.js";
import { fail, retryAfter, withMember, WRONG } from "../test/login-throttle.js";

/**
 * Log ins that arrive while others for the same account or address are being
 * checked wait in line for them (SPEC §6: successes do not count), and are
 * then counted as those turned out.
 */
describe("log ins waiting for the checks under way", () => {
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

  it("lets a thousand log ins from one proxy address through, each waking the next rather than all at once", async () => {
    const t = await withMember();
    const ip = fromIp("203.0.113.50");
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => loginRequest(t, i % 2 ? "ken" : "owner", PASSWORD, ip)));
    expect(responses.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
  });

  it("checks a password against the account as it is after its wait, not as it was before", async () => {
    const t = await withMember();
    const ken = findByLogin(t.db, "ken")!;
    const held = await Promise.all(Array.from({ length: LOGIN_FREE_FAILURES }, () => startCredentialCheck(t.deps, ken.id, "10.8.0.1")));
    const attempt = checkPassword(t.deps, ken, "ken", PASSWORD, { ip: "10.8.0.2", userAgent: "" });
    // Meanwhile the password is changed (in another session, or by a reset).
    t.db.update(accounts).set({ passwordHash: await t.deps.hasher.hash("a brand new password") }).where(eq(accounts.id, ken.id)).run();
    t.db.transaction((tx) => credentialSucceededIn(tx, held[0]!));
    endCredentialCheck(t.deps, held[0]!);
    await expect(attempt).rejects.toMatchObject({ code: "invalid_credentials" });
    for (const h of held.slice(1)) endCredentialCheck(t.deps, h);
  });
});
