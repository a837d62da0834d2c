import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../server/admin/audit.js";
import { fastHasher, type PasswordHasher } from "../server/auth/password.js";
import { createTestApp, login, PASSWORD, registerMember, setupOwner, type TestApp } from "../server/test/harness.js";

/**
 * Issue 7 item 3, load: a real HTTP server on 127.0.0.1 (port 0) over a
 * temp-file database, driven with fetch. The hasher is the harness's fast
 * one — real Argon2id would make 200 log ins a benchmark, not a test — and
 * the clock stands still, so the throttle's arithmetic is exact.
 */
const dirs: string[] = [];
const servers: ServerType[] = [];
const apps: TestApp[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  for (const t of apps) t.db.$client.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An app on a fresh temp-file database, listening on a real port; every error it logs is kept. */
async function start() {
  const dir = mkdtempSync(path.join(tmpdir(), "roster-load-"));
  dirs.push(dir);
  const t = createTestApp({ file: path.join(dir, "roster.db") });
  apps.push(t);
  const errors: string[] = [];
  t.deps.log = pino({ level: "error" }, { write: (line: string) => void errors.push(line) });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** One request over the socket; the status and the body text. */
  const call = async (p: string, o: { method?: string; json?: unknown; token?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (o.json !== undefined) headers["content-type"] = "application/json";
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const r = await fetch(`${base}${p}`, { method: o.method ?? (o.json === undefined ? "GET" : "POST"), headers, body: o.json === undefined ? undefined : JSON.stringify(o.json) });
    return { status: r.status, text: await r.text() };
  };
  return { t, call, errors };
}

const count = (t: TestApp, sql: string, ...args: unknown[]) => (t.db.$client.prepare(sql).get(...args) as { n: number }).n;

/** The same work in a shuffled order, so log ins, edits, searches and registrations interleave. */
function shuffle<T>(xs: T[]): T[] {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

describe("200 concurrent mixed requests", () => {
  it("no 5xx, no SQLITE_BUSY, and every profile edit and registration is there afterwards", async () => {
    const { t, call, errors } = await start();
    const owner = (await setupOwner(t)).token;
    const members: { token: string; id: string }[] = [];
    for (let i = 0; i < 10; i++) {
      const m = await registerMember(t, `m${i}@acme.test`, { userId: `mem${i}` });
      members.push({ token: m.token, id: m.user.id });
    }
    // Each member gets five edits, each of a different field: a lost update would drop one.
    const edits = (i: number) => [{ nickname: `Nick ${i}` }, { location: `Loc ${i}` }, { statusMessage: `Status ${i}` }, { groupName: `Dept${i}/Team` }, { birthDate: `1990-01-1${i}` }];
    const work: { kind: string; run: () => ReturnType<typeof call>; expect: number }[] = [];
    for (let i = 0; i < 50; i++) {
      const m = i % 10;
      work.push({ kind: "login", run: () => call("/api/v1/auth/login", { json: { login: `mem${m}`, password: PASSWORD, device: `load ${i}` } }), expect: 200 });
      work.push({ kind: "edit", run: () => call("/api/v1/me", { method: "PATCH", token: members[m]!.token, json: edits(m)[Math.floor(i / 10)] }), expect: 200 });
      work.push({ kind: "search", run: () => call(`/api/v1/admin/users?q=mem${m}&limit=20`, { token: owner }), expect: 200 });
      work.push({ kind: "register", run: () => call("/api/v1/auth/register", { json: { email: `r${i}@acme.test`, password: PASSWORD, nickname: `R ${i}` } }), expect: 201 });
    }
    const auditBefore = count(t, "SELECT count(*) AS n FROM audit_log");
    const results = await Promise.all(shuffle(work).map(async (w) => ({ ...w, ...(await w.run()) })));

    for (const r of results) {
      expect(r.status, `${r.kind}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
      expect(r.text, r.kind).not.toMatch(/SQLITE_BUSY|database is locked/i);
      expect(r.status, `${r.kind}: ${r.text.slice(0, 200)}`).toBe(r.expect);
    }
    expect(errors, "errors logged").toEqual([]);

    for (let m = 0; m < 10; m++) {
      const row = t.db.$client.prepare("SELECT nickname, location, status_message AS statusMessage, group_name AS groupName, birth_date AS birthDate FROM accounts WHERE id = ?").get(members[m]!.id);
      expect(row, `member m${m}`).toEqual(Object.assign({}, ...edits(m)));
    }
    for (let i = 0; i < 50; i++) expect(count(t, "SELECT count(*) AS n FROM accounts WHERE email_lower = ? AND status = 'pending'", `r${i}@acme.test`), `r${i}`).toBe(1);
    expect(count(t, "SELECT count(*) AS n FROM sessions WHERE device LIKE 'load %'")).toBe(50);
    expect(count(t, "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'verify_email' AND to_address LIKE 'r%@acme.test'")).toBe(50);
    // Every write audited, in one unbroken chain: concurrent writers never forked it.
    expect(count(t, "SELECT count(*) AS n FROM audit_log")).toBe(auditBefore + 150);
    expect(verifyAuditChain(t.deps)).toMatchObject({ ok: true });
    // The search index kept up with every insert and edit.
    expect(JSON.parse((await call("/api/v1/admin/users?q=Nick%203", { token: owner })).text)).toMatchObject({ total: 1 });
    expect(count(t, "SELECT count(*) AS n FROM accounts")).toBe(count(t, "SELECT count(*) AS n FROM accounts_fts"));
  });
});

describe("20 first registrations at once", () => {
  it("make exactly one owner and one organization", async () => {
    const { t, call, errors } = await start();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call("/api/v1/auth/register", { json: { email: `boss${i}@org${i}.test`, password: PASSWORD, userId: `boss${i}`, organizationName: `Org ${i}` } })),
    );
    for (const r of results) expect(r.status, r.text).toBe(201);
    const owners = results.filter((r) => (JSON.parse(r.text) as { user: { type: string } }).user.type === "owner");
    expect(owners).toHaveLength(1);
    expect(count(t, "SELECT count(*) AS n FROM accounts WHERE type = 'owner'")).toBe(1);
    expect(count(t, "SELECT count(*) AS n FROM organizations")).toBe(1);
    expect(count(t, "SELECT count(*) AS n FROM accounts")).toBe(20);
    // The others are ordinary registrations: pending, personal, each with its confirmation mail.
    expect(count(t, "SELECT count(*) AS n FROM accounts WHERE status = 'pending' AND organization_id IS NULL")).toBe(19);
    expect(count(t, "SELECT count(*) AS n FROM mail_outbox WHERE kind = 'verify_email'")).toBe(19);
    expect(verifyAuditChain(t.deps)).toMatchObject({ ok: true });
    expect(errors).toEqual([]);
  });
});

describe("30 concurrent wrong passwords against one account", () => {
  it("cannot check more than the throttle allows (the parallel bypass)", async () => {
    const { t, call, errors } = await start();
    await setupOwner(t);
    await registerMember(t, "victim@acme.test", { userId: "victim" });
    // Every check takes 50 ms, so all 30 are in flight together: a limit counted after the check would let them all through.
    const fast = fastHasher();
    const slow: PasswordHasher = { hash: fast.hash, verify: async (h, p) => (await new Promise((r) => setTimeout(r, 50)), fast.verify(h, p)) };
    t.deps.hasher = slow;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => call("/api/v1/auth/login", { json: { login: "victim", password: `wrong guess ${i}` } })));
    const statuses = results.map((r) => r.status);
    const failed = count(t, "SELECT count(*) AS n FROM audit_log WHERE action = 'login.failed' AND target_label = 'victim'");
    expect(failed, JSON.stringify(statuses)).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 401)).toHaveLength(failed);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    for (const r of results.filter((x) => x.status === 429)) expect(JSON.parse(r.text)).toMatchObject({ code: "rate_limited" });
    // The lock holds for the right password too, until its time is up.
    expect((await call("/api/v1/auth/login", { json: { login: "victim", password: PASSWORD } })).status).toBe(429);
    t.clock.advance(2000);
    t.deps.hasher = fast;
    expect((await login(t, "victim")).token).toBeTruthy();
    expect(errors).toEqual([]);
  });
});
