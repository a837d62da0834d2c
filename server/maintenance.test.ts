import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { DAY } from "./clock.js";
import { cleanup } from "./maintenance.js";
import { backupDatabase, untilNightly } from "./backup.js";
import { databaseFile, openDatabase } from "./db/client.js";
import { createTestApp, registerMember, setupOwner } from "./test/harness.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the hourly cleanup", () => {
  it("removes mail 30 days after it was sent (or failed), never mail still waiting, and expired sessions", async () => {
    const t = createTestApp();
    await setupOwner(t);
    await registerMember(t, "mia@acme.test");
    const c = t.db.$client;
    const count = (status: string) => (c.prepare("SELECT count(*) AS n FROM mail_outbox WHERE status = ?").get(status) as { n: number }).n;
    const total = (c.prepare("SELECT count(*) AS n FROM mail_outbox").get() as { n: number }).n;
    const now = t.clock.now().getTime();
    c.prepare("UPDATE mail_outbox SET status = 'sent', sent_at = ?").run(now - 29 * DAY);
    c.prepare("UPDATE mail_outbox SET status = 'queued', sent_at = NULL, created_at = ? WHERE rowid = (SELECT min(rowid) FROM mail_outbox)").run(now - 90 * DAY);
    expect(cleanup(t.deps).mail).toBe(0);
    t.clock.advance(2 * DAY);
    expect(cleanup(t.deps).mail).toBe(total - 1);
    expect(count("queued")).toBe(1);
    t.clock.advance(31 * DAY);
    const removed = cleanup(t.deps);
    expect(removed.sessions).toBeGreaterThan(0);
    expect((c.prepare("SELECT count(*) AS n FROM sessions").get() as { n: number }).n).toBe(0);
  });
});

describe("backups", () => {
  it("writes a consistent copy that opens, and keeps only the newest ROSTER_BACKUP_KEEP", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "roster-backup-"));
    dirs.push(dataDir);
    const db = openDatabase(databaseFile(dataDir));
    db.$client.prepare("INSERT INTO settings (key, value) VALUES ('serverName', '\"Backed up\"')").run();
    const files: string[] = [];
    for (let i = 0; i < 4; i++) files.push(await backupDatabase({ dataDir, keep: 2, source: db.$client, now: new Date(Date.UTC(2026, 0, 1, 3, 0, i)) }));
    const pre = await backupDatabase({ dataDir, keep: 2, label: "pre-migration", source: db.$client });
    const left = readdirSync(path.join(dataDir, "backups")).sort();
    expect(left).toHaveLength(3);
    expect(existsSync(pre)).toBe(true);
    const copy = new Database(files.at(-1) as string, { readonly: true });
    expect(copy.prepare("SELECT value FROM settings WHERE key = 'serverName'").get()).toEqual({ value: '"Backed up"' });
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    copy.close();
    db.$client.close();
  });

  it("schedules the nightly backup for the next 03:00", () => {
    const at = (h: number, m = 0) => {
      const d = new Date(2026, 0, 15, h, m);
      return d;
    };
    expect(untilNightly(at(2, 0))).toBe(60 * 60 * 1000);
    expect(untilNightly(at(3, 0))).toBe(DAY);
    expect(untilNightly(at(23, 30))).toBe(3.5 * 60 * 60 * 1000);
  });
});
