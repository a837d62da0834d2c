import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { argon2Hasher } from "../auth/password.js";
import { hashSecret } from "../auth/tokens.js";
import { FixedClock, HOUR } from "../clock.js";
import { testConfig } from "../config.js";
import { openDatabase } from "../db/client.js";
import { atOnce, type Deps } from "../deps.js";
import { createTestApp, login, ORIGIN, PASSWORD, registerMember, setupOwner, type TestApp } from "../test/harness.js";

/**
 * Issue 7 item 5, SPEC §6: no answer tells whether an address has an
 * account (status, body, and — within noise — time), and every secret is
 * stored only as a hash: the database file itself is searched.
 */

/** The shape of a JSON value: its keys (recursively) and the types of its leaves. */
function shape(v: unknown): unknown {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return typeof v;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const busyWait = (ms: number) => {
  for (const end = performance.now() + ms; performance.now() < end; );
};

describe("answers do not tell whether an address has an account", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = createTestApp();
    await setupOwner(t);
    await registerMember(t, "member@acme.test", { userId: "member" });
    expect((await t.request("/api/v1/auth/register", { json: { email: "pending@acme.test", password: PASSWORD } })).status).toBe(201);
  });

  /** Sends the same request for two addresses; returns both answers with each address replaced by EMAIL. */
  async function pair(send: (email: string) => Promise<Response>, taken: string, fresh: string) {
    const out = [];
    for (const email of [taken, fresh]) {
      const r = await send(email);
      out.push({ status: r.status, type: r.headers.get("content-type"), text: (await r.text()).split(email).join("EMAIL") });
    }
    return out as [{ status: number; type: string | null; text: string }, { status: number; type: string | null; text: string }];
  }

  it("API register: same status, same body shape and the same values but for the ids", async () => {
    for (const [taken, fresh, extra] of [
      ["member@acme.test", "fresh1@acme.test", { userId: "someone1" }],
      ["pending@acme.test", "fresh2@acme.test", { userId: "someone2", nickname: "N" }],
      ["owner@acme.test", "fresh3@acme.test", {}],
    ] as const) {
      const [a, b] = await pair((email) => t.request("/api/v1/auth/register", { json: { email, password: PASSWORD, ...extra } }), taken, fresh);
      expect(a.status).toBe(201);
      expect(b.status).toBe(a.status);
      const [ja, jb] = [JSON.parse(a.text), JSON.parse(b.text)] as { user: Record<string, unknown> }[];
      expect(shape(ja)).toEqual(shape(jb));
      const strip = (j: { user: Record<string, unknown> }) => ({ ...j, user: { ...j.user, id: "ID", userId: "UID", displayName: "NAME", createdAt: "T", updatedAt: "T" } });
      expect(strip(ja!)).toEqual(strip(jb!));
    }
  });

  it.each([
    ["password-reset", "member@acme.test"],
    ["password-reset", "pending@acme.test"],
    ["resend-verification", "pending@acme.test"],
    ["resend-verification", "member@acme.test"],
  ])("API %s for %s and for a fresh address: 202, no body", async (route, taken) => {
    // Past the minute before a resend that registering (taken and fresh alike) starts.
    t.clock.advance(60_000);
    const [a, b] = await pair((email) => t.request(`/api/v1/auth/${route}`, { json: { email } }), taken, `nobody.${route}.${taken.split("@")[0]}@acme.test`);
    expect(a).toEqual({ status: 202, type: null, text: "" });
    expect(b).toEqual(a);
  });

  it("API log in: a wrong password and an unknown login get the same problem", async () => {
    const [a, b] = await pair((login) => t.request("/api/v1/auth/login", { json: { login, password: "wrong password here" } }), "member@acme.test", "nobody@acme.test");
    expect(a.status).toBe(401);
    expect(b).toEqual(a);
  });

  it("API code confirmation: a wrong code for a pending address and any code for an unknown one get the same problem", async () => {
    const [a, b] = await pair((email) => t.request("/api/v1/auth/verify-email", { json: { email, code: "000000" } }), "pending@acme.test", "nobody@acme.test");
    expect(a.status).toBe(400);
    expect(b).toEqual(a);
  });

  it.each([
    ["/register", (email: string) => ({ email, password: PASSWORD, userId: "", nickname: "" })],
    ["/forgot-password", (email: string) => ({ email })],
    ["/resend-verification", (email: string) => ({ email })],
    ["/login", (email: string) => ({ login: email, password: "wrong password here" })],
  ])("page %s: the same page for a taken and a fresh address", async (page, form) => {
    for (const taken of ["member@acme.test", "pending@acme.test"]) {
      t.clock.advance(HOUR); // past the per-address limits, which are not what this is about
      const [a, b] = await pair((email) => t.request(page, { form: form(email) }), taken, `nobody.page${taken.length}@acme.test`);
      expect(a.status).toBeLessThan(500);
      expect(b).toEqual(a);
    }
  });

  /**
   * STYLE §8: "answer 202 before looking the address up, so timing does not
   * tell whether it exists". The services hand that work to `afterResponse`
   * (the next turn of the event loop in production). Here `mailQueued`,
   * called only on the existing-address path, blocks 40 ms to stand in for
   * that work, so a regression is measured without flakiness.
   */
  it.each([
    ["password-reset", "member"],
    ["resend-verification", "pending"],
  ])("API %s answers before the work an existing address costs", async (route, kind) => {
    const s = createTestApp();
    await setupOwner(s);
    for (let i = 0; i < 5; i++) {
      if (kind === "member") await registerMember(s, `m${i}@acme.test`);
      else await s.request("/api/v1/auth/register", { json: { email: `m${i}@acme.test`, password: PASSWORD } });
      s.clock.advance(HOUR);
    }
    s.deps.mailQueued = () => busyWait(40);
    s.deps.afterResponse = (work) => void setImmediate(work);
    const taken: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [email, into] of [[`m${i}@acme.test`, taken], [`nobody${i}@acme.test`, fresh]] as const) {
        const start = performance.now();
        expect((await s.request(`/api/v1/auth/${route}`, { json: { email }, headers: { "x-test-client-ip": `10.0.0.${i}` } })).status).toBe(202);
        into.push(performance.now() - start);
        // Let the work after the response finish before the next timing starts,
        // so neither address is charged for the other's deferred work.
        await new Promise((r) => setImmediate(r));
      }
    }
    const ratio = median(taken) / median(fresh);
    // Both sides must be cheap: the 40 ms stand-in ran after the answer, not inside it.
    expect(Math.max(median(taken), median(fresh)), "an answer waited for the work").toBeLessThan(30);
    expect(ratio, `existing ${median(taken).toFixed(1)} ms, fresh ${median(fresh).toFixed(1)} ms`).toBeLessThan(2);
  });
});

describe("with the real Argon2id hasher, registering a taken address takes as long as a fresh one", () => {
  const clock = new FixedClock();
  const db = openDatabase(":memory:");
  const deps: Deps = { db, clock, config: testConfig(), hasher: argon2Hasher(), log: pino({ level: "silent" }), mailQueued: () => {}, afterResponse: atOnce };
  const app = createApp(deps);
  const post = async (p: string, json: unknown, ip: string) => app.request(`${ORIGIN}${p}`, { method: "POST", body: JSON.stringify(json), headers: { "content-type": "application/json", "x-test-client-ip": ip } });

  beforeAll(async () => {
    expect((await post("/api/v1/auth/register", { email: "owner@acme.test", password: PASSWORD, userId: "owner", organizationName: "Acme" }, "10.0.0.1")).status).toBe(201);
  });

  /** Medians of `n` interleaved runs of each, after one warm-up of each; the clock moves past every limit between runs. */
  async function timed(n: number, a: (i: number) => Promise<Response>, b: (i: number) => Promise<Response>) {
    const ta: number[] = [];
    const tb: number[] = [];
    for (let i = -1; i < n; i++) {
      for (const [f, into] of (i % 2 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]]) as [(i: number) => Promise<Response>, number[]][]) {
        const start = performance.now();
        const r = await f(i + 1);
        await r.arrayBuffer();
        if (i >= 0) into.push(performance.now() - start);
        expect(r.status).toBeLessThan(500);
      }
      clock.advance(HOUR + 1);
    }
    return { a: median(ta), b: median(tb) };
  }

  it("register: medians over 8 runs each within 0.5–2×", async () => {
    const m = await timed(8, (i) => post("/api/v1/auth/register", { email: "owner@acme.test", password: PASSWORD }, `10.1.0.${i}`), (i) => post("/api/v1/auth/register", { email: `fresh${i}@acme.test`, password: PASSWORD }, `10.2.0.${i}`));
    const msg = `taken ${m.a.toFixed(1)} ms, fresh ${m.b.toFixed(1)} ms`;
    expect(m.a / m.b, msg).toBeGreaterThan(0.5);
    expect(m.a / m.b, msg).toBeLessThan(2);
  });

  it("log in: a wrong password and an unknown login, medians over 8 runs each within 0.5–2× (a dummy hash is verified)", async () => {
    const m = await timed(8, (i) => post("/api/v1/auth/login", { login: "owner", password: `wrong ${i} password` }, `10.3.0.${i}`), (i) => post("/api/v1/auth/login", { login: `nobody${i}`, password: `wrong ${i} password` }, `10.4.0.${i}`));
    const msg = `known ${m.a.toFixed(1)} ms, unknown ${m.b.toFixed(1)} ms`;
    expect(m.a / m.b, msg).toBeGreaterThan(0.5);
    expect(m.a / m.b, msg).toBeLessThan(2);
  });
});

describe("secrets at rest (SPEC §2: tokens, codes and keys only as SHA-256, passwords only as Argon2id)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "roster-secrets-"));
  const file = path.join(dir, "roster.db");
  let t: TestApp;
  /** Never mailed: must appear nowhere in the file. */
  const unmailed: Record<string, string> = {};
  /** Mailed: the outbox holds the mail that carries them (that is what it is for), and nothing else may. */
  const mailed: Record<string, string> = {};
  let code = "";
  const logLines: string[] = [];

  afterAll(() => {
    t?.db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (p: string, init: Parameters<TestApp["request"]>[1], status: number) => {
    const r = await t.request(p, init);
    const text = await r.text();
    expect(r.status, `${p}: ${text}`).toBe(status);
    return (text ? JSON.parse(text) : {}) as Record<string, string>;
  };

  beforeAll(async () => {
    t = createTestApp({ file });
    // Every line the server logs during the flow, access-log lines included.
    t.deps.log = pino({ level: "debug" }, { write: (line: string) => void logLines.push(line) });
    const passwords = { member: "member secret one", reset: "reset secret two", changed: "changed secret three", invitee: "invitee secret four", setup: "setup secret five", byAdmin: "admin-set secret six" };
    Object.assign(unmailed, { ownerPassword: PASSWORD, ...Object.fromEntries(Object.entries(passwords).map(([k, v]) => [`${k}Password`, v])) });
    const owner = (await setupOwner(t)).token;
    unmailed.ownerSession = owner;

    await api("/api/v1/auth/register", { json: { email: "member@acme.test", password: passwords.member } }, 201);
    const confirm = t.mailbox.lastMessage("member@acme.test");
    mailed.verify = t.mailbox.tokenIn(confirm);
    code = t.mailbox.codeIn(confirm);
    await api("/api/v1/auth/verify-email", { json: { token: mailed.verify } }, 200);
    unmailed.memberSession = (await login(t, "member@acme.test", passwords.member)).token;

    await api("/api/v1/auth/password-reset", { json: { email: "member@acme.test" } }, 202);
    mailed.reset = t.mailbox.tokenIn(t.mailbox.lastMessage("member@acme.test"));
    await api("/api/v1/auth/password-reset/confirm", { json: { token: mailed.reset, password: passwords.reset } }, 204);
    const session = (await login(t, "member@acme.test", passwords.reset)).token;
    unmailed.memberSession2 = session;
    await api("/api/v1/me/password", { json: { currentPassword: passwords.reset, newPassword: passwords.changed }, token: session }, 204);
    await api("/api/v1/me/email", { json: { newEmail: "member.new@acme.test", password: passwords.changed }, token: session }, 202);
    mailed.emailChange = t.mailbox.tokenIn(t.mailbox.lastMessage("member.new@acme.test"));

    unmailed.apiKey = (await api("/api/v1/admin/api-keys", { json: { name: "chat" }, token: owner }, 201)).key!;
    await api("/api/v1/admin/invitations", { json: { email: "invitee@acme.test" }, token: owner }, 201);
    mailed.invitation = new URL(t.mailbox.linkIn(t.mailbox.lastMessage("invitee@acme.test"))).pathname.split("/").pop()!;
    // The invitee opens the mailed link first (a page whose path holds the token), then accepts through the API.
    expect((await t.request(`/invite/${mailed.invitation}`)).status).toBe(200);
    // Shapes no route takes (answered under the catch-all): logged without the token too.
    await t.request(`//invite/${mailed.invitation}`);
    await t.request(`/api/v1//invitations/${mailed.invitation}`);
    await t.request(`/invite/${mailed.invitation}`, { method: "DELETE" });
    unmailed.inviteeSession = (await api(`/api/v1/invitations/${mailed.invitation}/accept`, { json: { userId: "invitee", password: passwords.invitee } }, 201)).token!;

    const handover = await api("/api/v1/admin/users", { json: { userId: "handover" }, token: owner }, 201);
    unmailed.setupLink = new URL(handover.setupUrl!).searchParams.get("token")!;
    await api("/api/v1/auth/setup", { json: { token: unmailed.setupLink, password: passwords.setup } }, 200);
    await api("/api/v1/admin/users", { json: { userId: "mailed", email: "mailed@acme.test" }, token: owner }, 201);
    mailed.setupMail = t.mailbox.tokenIn(t.mailbox.lastMessage("mailed@acme.test"));
    await api("/api/v1/admin/users", { json: { userId: "withpw", email: "withpw@acme.test", password: passwords.byAdmin }, token: owner }, 201);
    // The secret halves of sessions and keys on their own (their ids are stored in clear by design).
    for (const k of ["ownerSession", "memberSession", "memberSession2", "inviteeSession"]) unmailed[`${k}Secret`] = unmailed[k]!.split(".")[1]!;
    unmailed.apiKeySecret = unmailed.apiKey!.split("_").pop()!;
  });

  it("no log line holds a password, token, code or key, nor an invitation's link (whose token is in the path)", () => {
    expect(logLines.some((l) => l.includes('"path":"/invite/[redacted]"'))).toBe(true);
    expect(logLines.some((l) => l.includes('"path":"/api/v1/invitations/[redacted]/accept"'))).toBe(true);
    const all = logLines.join("\n");
    // The 6-digit code as a value: as bare digits it could turn up inside a timestamp by chance.
    for (const [name, secret] of Object.entries({ ...mailed, ...unmailed, code: `"${code}"` })) expect(all.includes(secret), name).toBe(false);
  });

  /** The database as it is on disk right now: the main file and the write-ahead log, unflushed. */
  const fileBytes = () => Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));

  it("the file and its WAL hold no password, session token, API key or hand-over setup link", () => {
    const bytes = fileBytes();
    // Positive control: a mailed link is found (it is in the outbox), and so is the SHA-256 of a token.
    expect(bytes.includes(mailed.verify!)).toBe(true);
    expect(bytes.includes(hashSecret(mailed.verify!))).toBe(true);
    for (const [name, secret] of Object.entries(unmailed)) expect(bytes.includes(secret), `${name} in the database file`).toBe(false);
  });

  it("outside the outbox, no table holds any secret or code — the audit log included", () => {
    const sqlite = t.db.$client;
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toContain("audit_log");
    const codeRe = new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`);
    for (const table of tables.filter((n) => n !== "mail_outbox")) {
      for (const row of sqlite.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
        for (const [col, v] of Object.entries(row)) {
          const text = Buffer.isBuffer(v) ? v.toString("latin1") : String(v);
          for (const [name, secret] of Object.entries({ ...unmailed, ...mailed })) expect(text.includes(secret), `${name} in ${table}.${col}`).toBe(false);
          expect(text, `the code in ${table}.${col}`).not.toMatch(codeRe);
        }
      }
    }
  });

  it("passwords are Argon2id hashes", () => {
    const hashes = t.db.$client.prepare("SELECT password_hash AS h FROM accounts WHERE password_hash IS NOT NULL").all() as { h: string }[];
    expect(hashes.length).toBeGreaterThanOrEqual(5);
    for (const { h } of hashes) expect(h).toMatch(/^\$argon2id\$v=19\$/);
  });

  it("with the outbox emptied, the file holds no token of any kind", async () => {
    const copy = path.join(dir, "copy.db");
    await t.db.$client.backup(copy);
    const db = new Database(copy);
    db.exec("DELETE FROM mail_outbox; VACUUM;");
    db.close();
    const bytes = readFileSync(copy);
    expect(bytes.includes(hashSecret(mailed.verify!))).toBe(true);
    for (const [name, secret] of Object.entries({ ...unmailed, ...mailed })) expect(bytes.includes(secret), `${name} in the file without its mail`).toBe(false);
  });
});
