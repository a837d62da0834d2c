import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getSettings, putSetting } from "../admin/settings.js";
import { holdDataDir } from "../backup.js";
import { databaseFile, openDatabase } from "../db/client.js";
import { closedPort, dataDir, err, listen, opened, roster } from "./test-kit.js";

function dbWithName(file: string, name: string): void {
  const db = openDatabase(file);
  putSetting(db, "serverName", name);
  db.$client.close();
}
const nameIn = (file: string): string => {
  const db = openDatabase(file);
  opened.push(db);
  return getSettings({ db }).serverName;
};

/**
 * A data directory holding "Before" and a backup file holding "From the
 * backup"; PORT is where restore asks /healthz whether a server runs: a
 * listener that answers, or a port nobody listens on.
 */
async function setup(serverAnswers: boolean) {
  const port = serverAnswers ? (await listen(() => 200)).port : await closedPort();
  const dir = dataDir({ PORT: String(port) });
  dbWithName(databaseFile(dir), "Before");
  const backup = path.join(dir, "elsewhere.db");
  dbWithName(backup, "From the backup");
  return { dir, file: databaseFile(dir), restore: () => roster("restore", "--file", backup) };
}

describe("roster restore", () => {
  it("refuses while the server answers, changing nothing", async () => {
    const s = await setup(true);
    expect(await s.restore()).toBe(1);
    expect(err.join("\n")).toMatch(/the server is running: stop it first/);
    expect(nameIn(s.file)).toBe("Before");
  });

  it("replaces the database with the backup, keeps a copy of what it replaced, and leaves no partial file", async () => {
    const s = await setup(false);
    expect(await s.restore()).toBe(0);
    expect(nameIn(s.file)).toBe("From the backup");
    const kept = readdirSync(path.join(s.dir, "backups")).filter((f) => /^roster-pre-restore-.*\.db$/.test(f));
    expect(kept).toHaveLength(1);
    expect(nameIn(path.join(s.dir, "backups", kept[0]!))).toBe("Before");
    expect(existsSync(`${s.file}.restoring`)).toBe(false);
  });

  it("renames the copy over the database: a process that still has the old file open keeps reading it whole", async () => {
    const s = await setup(false);
    const held = openDatabase(s.file); // memory-mapped, as a server has it
    opened.push(held);
    expect(getSettings({ db: held }).serverName).toBe("Before");
    expect(await s.restore()).toBe(0);
    expect(getSettings({ db: held }).serverName).toBe("Before");
    expect(nameIn(s.file)).toBe("From the backup");
  });

  it("refuses while a server holds the data directory, even one whose PORT it cannot reach (another container)", async () => {
    const s = await setup(false);
    const server = holdDataDir(s.dir);
    try {
      expect(await s.restore()).toBe(1);
      expect(err.join("\n")).toMatch(/the server is running: stop it first/);
      expect(nameIn(s.file)).toBe("Before");
    } finally {
      server.release();
    }
    expect(await s.restore()).toBe(0);
  });

  it("refuses a file that is not a whole Roster backup (empty, another program's database), changing nothing", async () => {
    const s = await setup(false);
    const empty = path.join(s.dir, "empty.db");
    writeFileSync(empty, "");
    const other = path.join(s.dir, "other.db");
    const db = new Database(other);
    db.exec("CREATE TABLE notes (body TEXT)");
    db.close();
    const text = path.join(s.dir, "notes.txt");
    writeFileSync(text, "not a database at all");
    for (const file of [empty, other, text]) {
      err.length = 0;
      expect(await roster("restore", "--file", file)).toBe(1);
      expect(err.join("\n")).toMatch(/cannot be restored: .+\. Nothing was changed\./);
    }
    expect(nameIn(s.file)).toBe("Before");
    expect(existsSync(path.join(s.dir, "backups")) ? readdirSync(path.join(s.dir, "backups")) : []).toEqual([]);
  });

  it("restores over a damaged database, as the message at start says to, keeping the damaged file's bytes", async () => {
    const s = await setup(false);
    for (const ext of ["-wal", "-shm"]) rmSync(s.file + ext, { force: true });
    writeFileSync(s.file, "half of a file copied by hand\n".repeat(500));
    expect(await s.restore()).toBe(0);
    expect(nameIn(s.file)).toBe("From the backup");
    const kept = readdirSync(path.join(s.dir, "backups")).filter((f) => /^roster-pre-restore-damaged-.*\.db$/.test(f));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(s.dir, "backups", kept[0]!), "utf8")).toBe("half of a file copied by hand\n".repeat(500));
  });
});
