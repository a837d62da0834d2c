import { asc } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../db/schema.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";
import { auditActions, countAudit, fromIp, loginRequest } from "../test/api.js";
import { audit, GENESIS_HASH, verifyAuditChain } from "./audit.js";

const entries = (t: TestApp) => t.db.select().from(auditLog).orderBy(asc(auditLog.seq)).all();
const last = (t: TestApp, action: string) => entries(t).filter((e) => e.action === action).at(-1);

async function withMember() {
  const t = createTestApp();
  await setupOwner(t);
  const ken = await registerMember(t, "ken@acme.test", { userId: "ken" });
  return { t, ken };
}

describe("security events go to the audit log (SPEC §6)", () => {
  it("a log in, with who, from where and when", async () => {
    const { t, ken } = await withMember();
    await t.request("/api/v1/auth/login", { json: { login: "ken", password: PASSWORD, device: "phone" }, headers: fromIp("10.0.0.5") });
    expect(last(t, "login.succeeded")).toMatchObject({ actorId: ken.user.id, actorLabel: "ken", targetId: ken.user.id, ip: "10.0.0.5", at: t.clock.now() });
    expect(JSON.parse(last(t, "login.succeeded")!.detail)).toEqual({ device: "phone" });
  });

  it("a failed log in, for an account and for a login that names none", async () => {
    const { t, ken } = await withMember();
    await loginRequest(t, "ken", "wrong password", fromIp("10.0.0.6"));
    expect(last(t, "login.failed")).toMatchObject({ targetId: ken.user.id, targetLabel: "ken", ip: "10.0.0.6" });
    await loginRequest(t, "ghost", "wrong password");
    expect(last(t, "login.failed")).toMatchObject({ targetId: null, targetLabel: "ghost" });
    // Never the password that was tried.
    expect(JSON.stringify(entries(t))).not.toContain("wrong password");
  });

  it("a lockout, once each time failures lock the account", async () => {
    const { t, ken } = await withMember();
    for (let i = 0; i < 5; i++) await loginRequest(t, "ken", "wrong password");
    expect(countAudit(t, "login.throttled")).toBe(1);
    expect(last(t, "login.throttled")).toMatchObject({ targetId: ken.user.id });
    expect(JSON.parse(last(t, "login.throttled")!.detail)).toMatchObject({ seconds: 1 });
    // The 429s while it waits are not new lockouts.
    await loginRequest(t, "ken", "wrong password");
    expect(countAudit(t, "login.throttled")).toBe(1);
    t.clock.advance(1000);
    await loginRequest(t, "ken", "wrong password");
    expect(countAudit(t, "login.throttled")).toBe(2);
    expect(JSON.parse(last(t, "login.throttled")!.detail)).toMatchObject({ seconds: 2 });
  });

  // Regression: parallel failures each read the counter after hashing and all logged the lockout.
  it("one lockout entry when parallel failures lock the account", async () => {
    const { t } = await withMember();
    await Promise.all(Array.from({ length: 20 }, () => loginRequest(t, "ken", "wrong password")));
    expect(countAudit(t, "login.failed")).toBe(5);
    expect(countAudit(t, "login.throttled")).toBe(1);
  });

  it("a client address reaching its failure limit", async () => {
    const { t } = await withMember();
    for (let i = 0; i < 50; i++) await loginRequest(t, `ghost${i}`, "wrong password", fromIp("10.0.0.9"));
    expect(last(t, "login.throttled")).toMatchObject({ targetId: null, ip: "10.0.0.9" });
    expect(JSON.parse(last(t, "login.throttled")!.detail)).toMatchObject({ address: "10.0.0.9" });
  });

  it("a password change, and sessions ended by logging out, out everywhere, or one by one", async () => {
    const { t, ken } = await withMember();
    await login(t, "ken"); // two more devices, ended by the change
    await login(t, "ken");
    await t.request("/api/v1/me/password", { json: { currentPassword: PASSWORD, newPassword: "a new good secret" }, token: ken.token });
    expect(last(t, "account.password_changed")).toMatchObject({ actorId: ken.user.id, targetId: ken.user.id });
    expect(JSON.parse(last(t, "account.password_changed")!.detail)).toEqual({ sessionsEnded: 2 });

    const a = await login(t, "ken", "a new good secret");
    const b = await login(t, "ken", "a new good secret");
    const before = countAudit(t, "session.ended");
    await t.request(`/api/v1/me/sessions/${b.token.split(".")[0]}`, { method: "DELETE", token: a.token });
    await t.request("/api/v1/me/sessions", { method: "DELETE", token: a.token });
    await t.request("/api/v1/auth/logout", { method: "POST", token: a.token });
    expect(countAudit(t, "session.ended")).toBe(before + 3);
    expect(entries(t).filter((e) => e.action === "session.ended").slice(-3).map((e) => JSON.parse(e.detail).reason)).toEqual(["ended_by_user", "logout_everywhere", "logout"]);
  });

  it("a password reset", async () => {
    const { t } = await withMember();
    await t.request("/api/v1/auth/password-reset", { json: { email: "ken@acme.test" } });
    await t.request("/api/v1/auth/password-reset/confirm", { json: { token: t.mailbox.tokenIn(t.mailbox.lastMessage("ken@acme.test")), password: "a new good secret" } });
    expect(auditActions(t)).toEqual(expect.arrayContaining(["account.password_reset_requested", "account.password_reset"]));
  });
});

describe("verifyAuditChain", () => {
  async function chain() {
    const { t } = await withMember();
    await loginRequest(t, "ken", "wrong password");
    await login(t, "ken");
    const all = entries(t);
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(all[0]?.prevHash).toBe(GENESIS_HASH);
    return { t, all };
  }

  it("finds an intact chain intact", async () => {
    const { t, all } = await chain();
    expect(verifyAuditChain(t.deps)).toEqual({ ok: true, entries: all.length });
  });

  it.each([
    ["detail", `'{"reason":"nothing to see"}'`],
    ["ip", "'127.0.0.1'"],
    ["actor_label", "'someone-else'"],
    ["action", "'login.succeeded'"],
    ["at", "at + 1"],
  ])("detects an entry whose %s was edited", async (column, value) => {
    const { t, all } = await chain();
    const victim = all[3]!;
    t.db.$client.prepare(`UPDATE audit_log SET ${column} = ${value} WHERE seq = ?`).run(victim.seq);
    expect(verifyAuditChain(t.deps)).toMatchObject({ ok: false, brokenAt: victim.seq, entries: 3 });
  });

  it("detects a removed entry in the middle", async () => {
    const { t, all } = await chain();
    t.db.$client.prepare("DELETE FROM audit_log WHERE seq = ?").run(all[2]!.seq);
    expect(verifyAuditChain(t.deps)).toMatchObject({ ok: false, brokenAt: all[3]!.seq, reason: expect.stringMatching(/removed/) });
  });

  it("detects an edited entry whose own hash was recomputed (the next entry no longer links to it)", async () => {
    const { t, all } = await chain();
    const victim = all[2]!;
    t.db.$client.prepare("DELETE FROM audit_log WHERE seq >= ?").run(victim.seq);
    // Re-append a forged entry in its place with a valid hash, then put the old successors back.
    audit(t.db, t.deps, { action: "forged" });
    for (const r of all.slice(3)) {
      const { seq: _seq, ...rest } = r;
      t.db.insert(auditLog).values(rest).run();
    }
    expect(verifyAuditChain(t.deps)).toMatchObject({ ok: false });
  });

  it("walks chains longer than one batch", async () => {
    const t = createTestApp();
    t.db.transaction((tx) => {
      for (let i = 0; i < 5200; i++) audit(tx, t.deps, { action: "test.entry", detail: { i } });
    });
    expect(verifyAuditChain(t.deps)).toEqual({ ok: true, entries: 5200 });
    t.db.$client.prepare("UPDATE audit_log SET detail = '{\"i\":-1}' WHERE seq = 5100").run();
    expect(verifyAuditChain(t.deps)).toMatchObject({ ok: false, brokenAt: 5100 });
  });
});
