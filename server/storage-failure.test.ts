import path from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { accounts } from "./db/schema.js";
import { storageFailure } from "./errors.js";
import { SESSION_WRITE_INTERVAL } from "./auth/sessions.js";
import { expectJson, expectProblem } from "./test/api.js";
import { createTestApp, PASSWORD, setupOwner } from "./test/harness.js";
import { hx, pageLogin } from "./http/pages/test-helpers.js";
import { tempDirs } from "./test/temp.js";

const tempDir = tempDirs("roster-storage-");

/** The error a real SQLite gives for `fn`. */
function sqliteError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected SQLite to refuse");
}

describe("which errors mean the database cannot be written", () => {
  it("a full database, a read-only one and a held write lock, and nothing else", () => {
    const full = new Database(":memory:");
    full.exec("CREATE TABLE t (x BLOB)");
    full.pragma("max_page_count = 8");
    const fullError = sqliteError(() => full.prepare("INSERT INTO t VALUES (zeroblob(100000))").run());
    expect(fullError).toMatchObject({ code: "SQLITE_FULL" });

    const readOnly = new Database(":memory:");
    readOnly.exec("CREATE TABLE t (x)");
    readOnly.pragma("query_only = ON");
    const readOnlyError = sqliteError(() => readOnly.prepare("INSERT INTO t VALUES (1)").run());
    expect(readOnlyError).toMatchObject({ code: "SQLITE_READONLY" });

    const file = path.join(tempDir(), "locked.db");
    const holder = new Database(file);
    holder.exec("CREATE TABLE t (x)");
    holder.exec("BEGIN IMMEDIATE");
    const waiter = new Database(file, { timeout: 0 });
    const busyError = sqliteError(() => waiter.prepare("INSERT INTO t VALUES (1)").run());
    expect(busyError).toMatchObject({ code: "SQLITE_BUSY" });
    holder.exec("ROLLBACK");

    for (const e of [fullError, readOnlyError, busyError]) {
      expect(storageFailure(e)).toMatchObject({ code: "service_unavailable", status: 503, retryAfter: 30 });
    }

    // A broken rule or a bad statement is a bug or a conflict, not the volume.
    readOnly.pragma("query_only = OFF");
    readOnly.exec("CREATE UNIQUE INDEX u ON t (x)");
    readOnly.prepare("INSERT INTO t VALUES (1)").run();
    const unique = sqliteError(() => readOnly.prepare("INSERT INTO t VALUES (1)").run());
    expect(unique).toMatchObject({ code: "SQLITE_CONSTRAINT_UNIQUE" });
    for (const e of [unique, sqliteError(() => readOnly.prepare("SELEC 1")), new Error("SQLITE_FULL"), "SQLITE_FULL", null]) {
      expect(storageFailure(e)).toBeNull();
    }
    for (const db of [full, readOnly, holder, waiter]) db.close();
  });
});

describe("a server whose data volume cannot be written", () => {
  /** An app on a real file whose connection refuses writes, as on a volume remounted read-only. */
  async function readOnlyServer() {
    const t = createTestApp({ file: path.join(tempDir(), "roster.db") });
    const lines: Record<string, unknown>[] = [];
    t.deps.log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const { token } = await setupOwner(t);
    const cookie = await pageLogin(t, "owner");
    const { key } = await expectJson<{ key: string }>(await t.request("/api/v1/admin/api-keys", { json: { name: "chat" }, token }), 201);
    // Every session is due for its sliding extension, a write.
    t.clock.advance(SESSION_WRITE_INTERVAL + 1000);
    t.db.$client.pragma("query_only = ON");
    return { t, token, cookie, key, lines };
  }

  it("answers a change with 503 problem+json and Retry-After, changes nothing, and works again once writable", async () => {
    const { t, token, lines } = await readOnlyServer();
    const before = t.db.select().from(accounts).all().length;
    const input = { json: { email: "new@acme.test", password: PASSWORD } };
    const r = await t.request("/api/v1/auth/register", input);
    const body = await expectProblem(r, 503, "service_unavailable");
    expect(r.headers.get("retry-after")).toBe("30");
    expect(body.detail).toMatch(/cannot store data/);
    expect(t.db.select().from(accounts).all()).toHaveLength(before);
    const patch = await t.request("/api/v1/me", { method: "PATCH", json: { nickname: "New name" }, token });
    await expectProblem(patch, 503, "service_unavailable");

    // The sysadmin's log says what to look at, with SQLite's code, not a stack trace to chase.
    const line = lines.find((l) => l.code === "SQLITE_READONLY");
    expect(line).toMatchObject({ level: 50, path: "/api/v1/auth/register", msg: expect.stringMatching(/data volume full or read-only/) });
    expect(line).not.toHaveProperty("err");

    t.db.$client.pragma("query_only = OFF");
    await expectJson(await t.request("/api/v1/auth/register", input), 201);
    expect(t.db.select().from(accounts).all()).toHaveLength(before + 1);
  });

  it("still answers token checks: /me, introspection, and the pages of a logged-in user", async () => {
    const { t, token, cookie, key } = await readOnlyServer();
    const me = await expectJson<{ userId: string }>(await t.request("/api/v1/me", { token }), 200);
    expect(me.userId).toBe("owner");
    const introspect = await t.request("/api/v1/introspect", { body: `token=${encodeURIComponent(token)}`, headers: { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded" } });
    expect(await expectJson(introspect, 200)).toMatchObject({ active: true });
    const page = await t.request("/account", { cookie });
    expect(page.status).toBe(200);
    // Not extended (that was the write), so no new cookie either.
    expect(page.headers.getSetCookie()).toEqual([]);
  });

  it("gives a form back with what was typed and the message, in the user's language", async () => {
    const { t, token, cookie } = await readOnlyServer();
    t.db.$client.pragma("query_only = OFF");
    await expectJson(await t.request("/api/v1/me", { method: "PATCH", json: { language: "ja" }, token }), 200);
    t.db.$client.pragma("query_only = ON");
    const form = { nickname: "山田 太郎", avatarUrl: "", groupName: "営業部", gender: "male", birthDate: "1990-04-01", location: "大阪", statusMessage: "", language: "ja", friendPolicy: "allow_any" };
    const r = await t.request("/account/profile", { form, cookie, headers: hx });
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("30");
    const html = await r.text();
    expect(html).toMatch(/^<section id="profile"/);
    expect(html).toContain('value="山田 太郎"');
    expect(html).toContain('value="大阪"');
    expect(html).toContain("サーバーが現在データを保存できません");
  });
});
