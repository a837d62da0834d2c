import { describe, expect, it } from "vitest";
import { DAY, MINUTE } from "../clock.js";
import { createTestApp, login, setupOwner } from "../test/harness.js";
import { expectProblem, sessionRows } from "../test/api.js";
import { createSession, deviceName, SESSION_LIFETIME, validateSessionToken } from "./sessions.js";
import { hashSecret } from "./tokens.js";

async function loggedIn() {
  const t = createTestApp();
  const owner = await setupOwner(t);
  const row = () => {
    const [s] = sessionRows(t, owner.user.id);
    return s;
  };
  const me = (auth: { token?: string; cookie?: string } = { token: owner.token }) => t.request("/api/v1/me", auth);
  /** Rows inserted, updated or deleted on the connection so far. */
  const writes = () => (t.db.$client.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
  return { t, owner, row, me, writes };
}

describe("session expiry", () => {
  it("is not written by a request within the hour: no row changes at all", async () => {
    const { t, row, me, writes } = await loggedIn();
    const before = row();
    t.clock.advance(30 * MINUTE);
    const n = writes();
    expect((await me()).status).toBe(200);
    expect(writes()).toBe(n);
    expect(row()).toEqual(before);
  });

  it("slides 30 days forward when a request comes more than an hour after the last write", async () => {
    const { t, row, me } = await loggedIn();
    const created = row()?.createdAt;
    t.clock.advance(61 * MINUTE);
    expect((await me()).status).toBe(200);
    expect(row()).toMatchObject({ createdAt: created, lastVerifiedAt: t.clock.now(), expiresAt: new Date(t.clock.now().getTime() + SESSION_LIFETIME) });

    // …and is then again left alone for an hour.
    const slid = row();
    t.clock.advance(59 * MINUTE);
    expect((await me()).status).toBe(200);
    expect(row()).toEqual(slid);
  });

  it("ends the session after 30 days without use, and removes its row", async () => {
    const { t, row, me } = await loggedIn();
    t.clock.advance(30 * DAY);
    await expectProblem(await me(), 401, "unauthenticated");
    expect(row()).toBeUndefined();

    const almost = await loggedIn();
    almost.t.clock.advance(30 * DAY - MINUTE);
    expect((await almost.me()).status).toBe(200);
  });

  it("keeps a session used every few weeks alive past 30 days", async () => {
    const { t, me } = await loggedIn();
    t.clock.advance(29 * DAY);
    expect((await me()).status).toBe(200);
    t.clock.advance(29 * DAY);
    expect((await me()).status).toBe(200);
    t.clock.advance(30 * DAY);
    await expectProblem(await me(), 401, "unauthenticated");
  });

  // Regression: the cookie kept the expiry of the log in, so browsers dropped a session the server still extended.
  it("renews the cookie's expiry when a cookie session slides", async () => {
    const { t, owner, me } = await loggedIn();
    const cookie = `roster_session=${owner.token}`;
    t.clock.advance(10 * MINUTE);
    expect((await me({ cookie })).headers.get("set-cookie")).toBeNull();
    t.clock.advance(2 * 60 * MINUTE);
    const r = await me({ cookie });
    expect(r.status).toBe(200);
    const set = r.headers.get("set-cookie") ?? "";
    expect(set).toContain(`roster_session=${owner.token}`);
    expect(set).toContain(`Expires=${new Date(t.clock.now().getTime() + SESSION_LIFETIME).toUTCString()}`);
    expect(set).toMatch(/HttpOnly/);
  });
});

describe("validateSessionToken", () => {
  it("finds the account behind a token and stores only the SHA-256 of its secret", async () => {
    const t = createTestApp();
    const owner = await setupOwner(t);
    const s = createSession({ db: t.db, clock: t.clock }, owner.user.id, { device: "test", ip: "10.0.0.1" });
    const [id, secret = ""] = s.token.split(".");
    expect(s.session.id).toBe(id);
    expect(s.session.secretHash.equals(hashSecret(secret))).toBe(true);
    expect(JSON.stringify(sessionRows(t, owner.user.id))).not.toContain(secret);
    expect(validateSessionToken(t.deps, s.token)?.account.id).toBe(owner.user.id);
  });

  it.each(["", ".", "nodot", ".secret", "id.", "a".repeat(201)])("returns null for %j", async (token) => {
    const t = createTestApp();
    await setupOwner(t);
    expect(validateSessionToken(t.deps, token)).toBeNull();
  });

  it("gives every log in a new token", async () => {
    const t = createTestApp();
    await setupOwner(t);
    const a = await login(t, "owner");
    const b = await login(t, "owner");
    expect(a.token).not.toBe(b.token);
  });
});

describe("deviceName", () => {
  it.each([
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "Edge on Windows"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iOS"],
    ["Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "Chrome on Android"],
    ["curl/8.5.0", "curl"],
    ["TeamChat/2.1", "TeamChat/2.1"],
    ["", "Unknown device"],
  ])("names %j %j", (ua, name) => {
    expect(deviceName(ua)).toBe(name);
  });
});
