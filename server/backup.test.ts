import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase, backupProblem, CannotOpenDatabaseError, holdDataDir, openMigrated } from "./backup.js";
import { tempDirs } from "./test/temp.js";

const tempDir = tempDirs("roster-open-");

/** The error openMigrated refuses `dataDir` with. */
async function refusal(dataDir: string): Promise<CannotOpenDatabaseError> {
  const e = await openMigrated({ dataDir, keep: 7 }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CannotOpenDatabaseError);
  return e as CannotOpenDatabaseError;
}

/** Makes `file` unwritable for this process; returns how to undo it, or null when this machine cannot. */
function readOnly(file: string): (() => void) | null {
  try {
    execFileSync("chattr", ["+i", file], { stdio: "ignore" });
    return () => execFileSync("chattr", ["-i", file], { stdio: "ignore" });
  } catch {
    if (process.getuid?.() === 0) return null;
    chmodSync(file, 0o444);
    return () => chmodSync(file, 0o644);
  }
}

describe("a database that cannot be opened", () => {
  it("is refused with what to do when the file is damaged or not a database, and left as it was", async () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, "roster.db");
    const junk = "this is not a database, but someone's notes\n".repeat(200);
    writeFileSync(file, junk);
    const e = await refusal(dataDir);
    expect(e.code).toBe("SQLITE_NOTADB");
    expect(e.message).toContain(`${file} is damaged or is not a Roster database`);
    expect(e.message).toContain(`Restore the newest good copy from ${path.join(dataDir, "backups")} with "roster restore --file <backup>"`);
    expect(readFileSync(file, "utf8")).toBe(junk);
  });

  it("names the directory when it cannot be made or written", async () => {
    const parent = tempDir();
    // A file where the data directory should be: neither root nor anyone else can create it.
    writeFileSync(path.join(parent, "data"), "");
    const e = await refusal(path.join(parent, "data", "roster"));
    expect(e.code).toBe("ENOTDIR");
    expect(e.message).toMatch(/cannot open .*roster\.db for writing \(ENOTDIR\): check that the data directory .* exists, is writable/);

    // roster.db is a directory.
    const dataDir = tempDir();
    mkdirSync(path.join(dataDir, "roster.db"));
    expect((await refusal(dataDir)).message).toMatch(/^Roster cannot open .*roster\.db for writing \(SQLITE_CANTOPEN\)/);
  });

  it("says so at once when the database can be read but not written (another owner, a read-only mount)", async () => {
    const dataDir = tempDir();
    (await openMigrated({ dataDir, keep: 7 })).db.$client.close();
    const file = path.join(dataDir, "roster.db");
    // Not writable even by root: the immutable flag (where this machine allows it), else the mode for anyone else.
    const locked = readOnly(file);
    if (!locked) return; // neither is possible here (root without CAP_LINUX_IMMUTABLE)
    try {
      const e = await refusal(dataDir);
      expect(e.code).toMatch(/^SQLITE_(READONLY|CANTOPEN)/);
      expect(e.message).toMatch(/^Roster cannot open .*roster\.db for writing/);
    } finally {
      locked();
    }
  });

  it("names the data directory when it is a file", async () => {
    const parent = tempDir();
    const file = path.join(parent, "data");
    writeFileSync(file, "");
    expect(() => holdDataDir(file)).toThrow(CannotOpenDatabaseError);
  });

  it("blames the backups folder, not the database, when the copy before a migration fails", async () => {
    const dataDir = tempDir();
    const { db } = await openMigrated({ dataDir, keep: 7 });
    // As an older Roster left it: one migration short.
    db.$client.prepare("DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)").run();
    db.$client.close();
    const before = readFileSync(path.join(dataDir, "roster.db"));
    writeFileSync(path.join(dataDir, "backups"), "a file where the folder goes");
    const e = await refusal(dataDir);
    expect(e.message).toMatch(/^Roster could not copy the database to .*backups before migrating it \(E[A-Z]+\): check that the folder is writable/);
    expect(readFileSync(path.join(dataDir, "roster.db")).equals(before)).toBe(true);
  });

  it("opens and migrates a good one as before", async () => {
    const { db, applied } = await openMigrated({ dataDir: tempDir(), keep: 7 });
    expect(applied).toBe(true);
    db.$client.close();
  });
});

describe("backups", () => {
  it("are one self-contained file each: checking one before a restore leaves nothing beside it", async () => {
    const dataDir = tempDir();
    const { db } = await openMigrated({ dataDir, keep: 7 });
    db.$client.prepare("INSERT INTO settings (key, value) VALUES ('probe', '\"kept\"')").run();
    const file = await backupDatabase({ dataDir, keep: 7, source: db.$client });
    db.$client.close();
    const beside = () => readdirSync(path.dirname(file)).sort();
    expect(beside()).toEqual([path.basename(file)]);
    expect(backupProblem(file)).toBeNull();
    expect(beside()).toEqual([path.basename(file)]);
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
    expect(copy.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get()).toBe('"kept"');
    copy.close();
  });
});
