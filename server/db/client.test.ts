import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { putSetting, getSettings } from "../admin/settings.js";
import { databaseFile, DatabaseTooNewError, isMigrated, migrateDatabase, migrationsFolder, openDatabase, type Db } from "./client.js";

const journal = () => JSON.parse(readFileSync(path.join(migrationsFolder(), "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };

const opened: Db[] = [];
const dirs: string[] = [];
function tempFile(sub = ""): string {
  const dir = mkdtempSync(path.join(tmpdir(), "roster-db-"));
  dirs.push(dir);
  return path.join(dir, sub, "roster.db");
}
function open(file: string, opts?: { migrate?: boolean }): Db {
  const db = openDatabase(file, opts);
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) if (db.$client.open) db.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const applied = (db: Db) => (db.$client.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
const tables = (db: Db) => (db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);

describe("openDatabase", () => {
  it("creates the file (and its folder) and applies every migration", () => {
    const file = tempFile("nested/data");
    const db = open(file);
    expect(existsSync(file)).toBe(true);
    expect(tables(db)).toEqual(expect.arrayContaining(["accounts", "organizations", "sessions", "one_time_tokens", "audit_log", "mail_outbox", "settings", "throttles"]));
    expect(applied(db)).toBe(journal().entries.length);
    expect(isMigrated(db)).toBe(true);
  });

  it("reopens an existing database without applying anything twice, keeping its data", () => {
    const file = tempFile();
    const first = open(file);
    putSetting(first, "serverName", "Intranet Roster");
    first.$client.close();

    const again = open(file);
    expect(applied(again)).toBe(journal().entries.length);
    expect(getSettings({ db: again }).serverName).toBe("Intranet Roster");
    expect(migrateDatabase(again)).toEqual({ applied: false });
  });

  it("applies the migrations to a database opened without them", () => {
    const db = open(tempFile(), { migrate: false });
    expect(isMigrated(db)).toBe(false);
    expect(migrateDatabase(db)).toEqual({ applied: true });
    expect(isMigrated(db)).toBe(true);
  });

  it("refuses a database migrated by a newer Roster, and changes nothing in it", () => {
    const file = tempFile();
    const db = open(file);
    const future = Math.max(...journal().entries.map((e) => e.when)) + 365 * 24 * 3600 * 1000;
    db.$client.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', ?)").run(future);
    const before = applied(db);
    db.$client.close();

    expect(() => open(file)).toThrow(DatabaseTooNewError);
    expect(() => open(file)).toThrow(/newer Roster/);
    const look = open(file, { migrate: false });
    expect(applied(look)).toBe(before);
    expect(isMigrated(look)).toBe(true);
  });

  // Regression: the refused connection stayed open (its -wal file lingered until the process ended).
  it("closes the database it refuses", () => {
    const file = tempFile();
    const db = open(file);
    db.$client.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 9999999999999)").run();
    db.$client.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(() => open(file)).toThrow(DatabaseTooNewError);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("turns on WAL, foreign keys and a busy timeout", () => {
    const db = open(tempFile());
    expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.$client.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  it("enforces foreign keys: a session for no account is refused", () => {
    const db = open(tempFile());
    expect(() =>
      db.$client.prepare("INSERT INTO sessions (id, account_id, secret_hash, created_at, last_verified_at, expires_at) VALUES ('s', 'nobody', x'00', 0, 0, 0)").run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it("works in memory for tests", () => {
    const db = open(":memory:");
    expect(isMigrated(db)).toBe(true);
  });
});

describe("databaseFile", () => {
  it.each([
    [":memory:", ":memory:"],
    ["/data", "/data/roster.db"],
  ])("%s → %s", (dir, file) => {
    expect(databaseFile(dir)).toBe(file);
  });
});
