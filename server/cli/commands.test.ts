import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { register } from "../accounts/registration.js";
import { fastHasher } from "../auth/password.js";
import { loadConfig } from "../config.js";
import { databaseFile, isMigrated } from "../db/client.js";
import { accounts } from "../db/schema.js";
import { backupDatabase } from "../backup.js";
import { commands } from "./commands.js";
import { migrateBefore } from "../test/older-database.js";
import { closedPort, dataDir, depsFor, dirs, EMAIL, err, listen, logIn, meta, openDb, out, PASSWORD, roster, withOwner } from "./test-kit.js";

describe("roster <command>: arguments", () => {
  it("an unknown command is a usage error (exit 2) that says so", async () => {
    dataDir();
    expect(await roster("nope")).toBe(2);
    expect(err.join("\n")).toContain('unknown command "nope"');
  });

  it("every command answers --help (and -h) with its summary and usage, exit 0, without touching the data directory or reading the configuration", async () => {
    const dir = dataDir({ PORT: "not-a-port" });
    for (const [name, cmd] of Object.entries(commands)) {
      out.length = 0;
      expect(await roster(name, "--help"), name).toBe(0);
      expect(out.join("\n"), name).toContain(cmd.summary);
      expect(out.join("\n"), name).toContain(`usage: ${cmd.usage}`);
      expect(await roster(name, "-h"), name).toBe(0);
    }
    expect(existsSync(databaseFile(dir))).toBe(false);
  });

  it.each([
    ["create-admin", ["--password", PASSWORD], "--email is required"],
    ["create-admin", ["--email", EMAIL], "a password is required: --password-stdin"],
    ["reset-password", ["--password", PASSWORD], "--login is required"],
    ["reset-password", ["--login", "nobody"], "a password is required: --password-stdin"],
    ["send-test-mail", [], "--to is required"],
    ["restore", [], "--file is required"],
  ])("%s %j: a missing required option is a usage error (exit 2) naming it, with the usage line", async (name, args, message) => {
    const dir = dataDir();
    expect(await roster(name, ...args)).toBe(2);
    expect(err.join("\n")).toContain(message);
    expect(err.join("\n")).toContain(`usage: ${commands[name]!.usage}`);
    // A usage mistake touches no database: none is created in a (possibly wrong) data directory.
    expect(existsSync(databaseFile(dir))).toBe(false);
  });

  it.each([
    ["list-users", ["--bogus"]],
    ["list-users", ["extra"]],
    ["create-admin", ["--email"]],
    ["migrate", ["--force"]],
  ])("%s %j: an unknown option, a stray argument or an option without its value is a usage error (exit 2)", async (name, args) => {
    const dir = dataDir();
    expect(await roster(name, ...args)).toBe(2);
    expect(err.join("\n")).toContain(`usage: ${commands[name]!.usage}`);
    expect(existsSync(databaseFile(dir))).toBe(false);
  });

  it("a bad configuration stops the command with exit 78 and names the variable", async () => {
    const dir = dataDir({ ROSTER_BACKUP_KEEP: "seven" });
    expect(await roster("migrate")).toBe(78);
    expect(err.join("\n")).toContain("ROSTER_BACKUP_KEEP");
    expect(existsSync(databaseFile(dir))).toBe(false);
  });

  // The CLI once handed "" to pino, which threw "default level: must be included in custom levels".
  it("an empty ROSTER_LOG_LEVEL (as compose's ${VAR:-} gives) works for the CLI as it does for the server", async () => {
    const dir = dataDir({ ROSTER_LOG_LEVEL: "" });
    expect(() => loadConfig({ ROSTER_DATA_DIR: dir, ROSTER_LOG_LEVEL: "" })).not.toThrow();
    expect(await roster("migrate")).toBe(0);
  });
});

describe("roster migrate", () => {
  it("creates a migrated database in a fresh data directory, and says so; a second run finds it up to date", async () => {
    const dir = dataDir();
    expect(await roster("migrate")).toBe(0);
    expect(out).toEqual(["migrations applied"]);
    expect(existsSync(databaseFile(dir))).toBe(true);
    expect(isMigrated(openDb(dir))).toBe(true);

    out.length = 0;
    expect(await roster("migrate")).toBe(0);
    expect(out).toEqual(["the database is up to date"]);
  });

  /** A data directory as the Roster before the newest migration left it, with its owner "boss". */
  async function olderDatabase(): Promise<string> {
    const dir = dataDir();
    const raw = new Database(databaseFile(dir));
    raw.pragma("journal_mode = WAL");
    migrateBefore(raw);
    raw.prepare("INSERT INTO accounts (id, user_id, email, email_lower, type, status, created_at, updated_at) VALUES ('boss-id', 'boss', ?, ?, 'owner', 'active', 0, 0)").run(EMAIL, EMAIL.toLowerCase());
    raw.close();
    return dir;
  }
  const preMigration = (dir: string) => readdirSync(path.join(dir, "backups")).filter((f) => /^roster-pre-migration-.*\.db$/.test(f)); // not the -wal/-shm of an opened copy

  it("refuses a database migrated by a newer Roster: says so, fails, and neither copies nor changes it", async () => {
    const dir = await withOwner();
    const raw = new Database(databaseFile(dir));
    raw.prepare("UPDATE __drizzle_migrations SET created_at = created_at + 1e12 WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)").run();
    const before = raw.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get();
    raw.close();
    await expect(roster("list-users")).rejects.toThrow(/migrated by a newer Roster/);
    await expect(roster("migrate")).rejects.toThrow(/migrated by a newer Roster/);
    expect(existsSync(path.join(dir, "backups"))).toBe(false);
    const after = new Database(databaseFile(dir), { readonly: true });
    expect(after.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual(before);
    after.close();
  });

  it.each([["migrate"], ["list-users"]])("after an upgrade, `%s` copies the database before it migrates it, as the server does", async (command) => {
    const dir = await olderDatabase();
    expect(await roster(command)).toBe(0);
    const copies = preMigration(dir);
    expect(copies).toHaveLength(1);
    // The copy is the database as the older Roster left it; the database itself is now migrated.
    const copy = new Database(path.join(dir, "backups", copies[0]!), { readonly: true });
    const applied = (db: Database.Database) => (db.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
    expect(applied(copy)).toBe(applied(openDb(dir).$client) - 1);
    expect((copy.prepare("SELECT user_id FROM accounts").all() as { user_id: string }[]).map((r) => r.user_id)).toEqual(["boss"]);
    copy.close();
    expect(isMigrated(openDb(dir))).toBe(true);
    if (command === "migrate") expect(out[0]).toMatch(/^copied the database first: .*roster-pre-migration-.*\.db$/);
    // Nothing more to do, nothing more copied.
    expect(await roster(command)).toBe(0);
    expect(preMigration(dir)).toHaveLength(1);
  });
});


describe("roster list-users", () => {
  /** The owner, plus two self-registered accounts (pending until they confirm their address). */
  async function threeAccounts(): Promise<string> {
    const dir = await withOwner();
    const d = { ...depsFor(dir), hasher: fastHasher() };
    await register(d, { email: "zed@corp.example", password: "zed-password-1", userId: "zed" }, meta);
    await register(d, { email: "alice@corp.example", password: "alice-password-1", userId: "alice" }, meta);
    return dir;
  }

  it("prints one tab-separated line per account (userId, email, type, status), by user ID, and nothing secret", async () => {
    await threeAccounts();
    expect(await roster("list-users")).toBe(0);
    expect(out).toEqual([
      "alice\talice@corp.example\tgeneral\tpending",
      `boss\t${EMAIL}\towner\tactive`,
      "zed\tzed@corp.example\tgeneral\tpending",
    ]);
    expect(out.join("\n")).not.toContain("argon2");
  });

  it("--limit N prints the first N, and says on stderr that there are more", async () => {
    await threeAccounts();
    expect(await roster("list-users", "--limit", "2")).toBe(0);
    expect(out.map((l) => l.split("\t")[0])).toEqual(["alice", "boss"]);
    expect(err).toEqual(["(the first 2 accounts by user ID; there are more: --limit N, or the admin export)"]);
    err.length = 0;
    expect(await roster("list-users", "--limit", "3")).toBe(0);
    expect(err).toEqual([]);
  });

  it.each([["0"], ["-1"], ["two"], ["1.5"], [""]])("--limit %j is a usage error (exit 2)", async (limit) => {
    await withOwner();
    expect(await roster("list-users", `--limit=${limit}`)).toBe(2);
    expect(err.join("\n")).toContain("--limit takes a whole number");
    expect(out).toEqual([]);
  });

  it("prints nothing on a server without accounts", async () => {
    dataDir();
    expect(await roster("migrate")).toBe(0);
    out.length = 0;
    expect(await roster("list-users")).toBe(0);
    expect(out).toEqual([]);
  });

  it("refuses a data directory without a database (a mistyped ROSTER_DATA_DIR) instead of making an empty one", async () => {
    const dir = dataDir();
    for (const command of [["list-users"], ["verify-audit"], ["reset-password", "--login", "boss", "--password", "brand-new-pass-7"]]) {
      err.length = 0;
      expect(await roster(...(command as [string, ...string[]]))).toBe(1);
      expect(err).toEqual([`no database at ${databaseFile(dir)} (is ROSTER_DATA_DIR right?)`]);
    }
    expect(existsSync(databaseFile(dir))).toBe(false);
  });
});

describe("roster backup", () => {
  const backupsIn = (dir: string) => readdirSync(path.join(dir, "backups")).sort();

  it("writes a consistent copy to <dataDir>/backups while a server holds the database open, and prints its path", async () => {
    const dir = await withOwner();
    // A server's connection, with its latest write still in the WAL (not yet in roster.db).
    const server = openDb(dir);
    server.update(accounts).set({ nickname: "Written just now" }).run();

    expect(await roster("backup")).toBe(0);
    expect(out).toHaveLength(1);
    const file = out[0]!;
    expect(path.dirname(file)).toBe(path.join(dir, "backups"));
    expect(path.basename(file)).toMatch(/^roster-manual-.+\.db$/);
    expect(backupsIn(dir)).toEqual([path.basename(file)]);

    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(copy.prepare("SELECT user_id, email, nickname FROM accounts").all()).toEqual([{ user_id: "boss", email: EMAIL, nickname: "Written just now" }]);
    } finally {
      copy.close();
    }
    // A backup is a database Roster can run on: the owner logs in on it.
    const restoredDir = mkdtempSync(path.join(tmpdir(), "roster-cli-restored-"));
    dirs.push(restoredDir);
    copyFileSync(file, databaseFile(restoredDir));
    expect((await logIn(depsFor(restoredDir), "boss", PASSWORD)).user.userId).toBe("boss");
  });

  it("keeps the newest ROSTER_BACKUP_KEEP nightly backups, and never prunes labelled ones (pre-restore, or made with roster backup)", async () => {
    const dir = await withOwner();
    mkdirSync(path.join(dir, "backups"));
    writeFileSync(path.join(dir, "backups", "roster-pre-restore-2020-01-01T00-00-00-000Z.db"), "");
    const nightly: string[] = [];
    for (let i = 0; i < 4; i++) {
      nightly.push(path.basename(await backupDatabase({ dataDir: dir, keep: 2, now: new Date(Date.UTC(2026, 0, 1 + i, 3)) })));
      await new Promise((r) => setTimeout(r, 5)); // distinct modification times
    }
    expect(backupsIn(dir)).toEqual(["roster-pre-restore-2020-01-01T00-00-00-000Z.db", ...nightly.slice(2)].sort());
    // With the nightly copies turned off (0), one made by hand removes none of them, nor itself.
    vi.stubEnv("ROSTER_BACKUP_KEEP", "0");
    out.length = 0;
    expect(await roster("backup")).toBe(0);
    expect(backupsIn(dir)).toEqual(["roster-pre-restore-2020-01-01T00-00-00-000Z.db", ...nightly.slice(2), path.basename(out[0]!)].sort());
  });

  it("fails, naming the path it looked at, without writing a file when the data directory has no database", async () => {
    const dir = dataDir();
    expect(await roster("backup")).toBe(1);
    expect(err).toEqual([`no database at ${databaseFile(dir)} (is ROSTER_DATA_DIR right?)`]);
    expect(existsSync(path.join(dir, "backups")) ? backupsIn(dir) : []).toEqual([]);
    expect(existsSync(databaseFile(dir))).toBe(false);
  });
});

describe("roster verify-audit", () => {
  it("exits 0 on an intact chain and says how many entries it checked", async () => {
    await withOwner();
    expect(await roster("reset-password", "--login", "boss", "--password", "brand-new-pass-7")).toBe(0);
    out.length = 0;
    expect(await roster("verify-audit")).toBe(0);
    expect(out).toEqual(["audit chain verified: 3 entries"]);
  });

  it("exits 1 naming the entry when an entry was edited in the file", async () => {
    const dir = await withOwner();
    const raw = new Database(databaseFile(dir));
    expect(raw.prepare("UPDATE audit_log SET target_label = 'mallory' WHERE seq = 2").run().changes).toBe(1);
    raw.close();
    expect(await roster("verify-audit")).toBe(1);
    expect(err).toEqual(["audit chain BROKEN at entry 2: the entry was changed (1 entries verified before it)"]);
    expect(out).toEqual([]);
  });

  it("exits 1 naming the entry after one that was removed", async () => {
    const dir = await withOwner();
    expect(await roster("reset-password", "--login", "boss", "--password", "brand-new-pass-7")).toBe(0);
    const raw = new Database(databaseFile(dir));
    raw.prepare("DELETE FROM audit_log WHERE seq = 2").run();
    raw.close();
    expect(await roster("verify-audit")).toBe(1);
    expect(err).toEqual(["audit chain BROKEN at entry 3: an entry before it was removed or changed (1 entries verified before it)"]);
  });
});


describe("roster healthcheck", () => {
  it("exits 0 when the server on PORT answers 200 on /readyz", async () => {
    const s = await listen((url) => (url === "/readyz" ? 200 : 404));
    dataDir({ PORT: String(s.port) });
    expect(await roster("healthcheck")).toBe(0);
    expect(s.asked).toEqual(["/readyz"]);
  });

  it("asks the address in HOST when the server listens on one address only", async () => {
    const s = await listen((url) => (url === "/readyz" ? 200 : 404), "127.0.0.2");
    dataDir({ PORT: String(s.port), HOST: "127.0.0.2" });
    expect(await roster("healthcheck")).toBe(0);
    expect(s.asked).toEqual(["/readyz"]);
  });

  it("exits 1 with the status and body when the server answers but is not ready", async () => {
    const s = await listen(() => 503);
    dataDir({ PORT: String(s.port) });
    expect(await roster("healthcheck")).toBe(1);
    expect(err).toEqual(["not ready: 503 migrations pending"]);
  });

  it("exits 1 naming the URL when nothing listens on PORT", async () => {
    const port = await closedPort();
    dataDir({ PORT: String(port) });
    expect(await roster("healthcheck")).toBe(1);
    expect(err.join("\n")).toContain(`not reachable: http://127.0.0.1:${port}/readyz`);
  });

  it("--url checks another address instead", async () => {
    const s = await listen((url) => (url === "/roster/readyz" ? 200 : 503));
    dataDir({ PORT: String(await closedPort()) });
    expect(await roster("healthcheck", "--url", `http://127.0.0.1:${s.port}/roster/readyz`)).toBe(0);
    expect(s.asked).toEqual(["/roster/readyz"]);
  });
});
