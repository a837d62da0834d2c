import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.js";
import { MMAP_BYTES } from "./idle-memory.js";
import { cacheOneTimeStatements } from "./statement-cache.js";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** A transaction handle or the database itself: what a function that only reads and writes rows needs. */
export type Tx = Pick<Db, "insert" | "update" | "select" | "delete">;

/** The folder holding package.json, whether running from server/ (tsx) or from the bundles in dist/. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the project root (package.json)");
    dir = up;
  }
  return dir;
}

export const migrationsFolder = () => path.join(projectRoot(), "migrations");

export class DatabaseTooNewError extends Error {
  constructor(dbVersion: number, codeVersion: number) {
    super(
      `The database was migrated by a newer Roster (schema ${new Date(dbVersion).toISOString()}, this version knows up to ${new Date(codeVersion).toISOString()}). Run the newer version, or restore a backup made by this one.`,
    );
    this.name = "DatabaseTooNewError";
  }
}

const knownCache = new Map<string, number>();
function latestKnownMigration(folder: string): number {
  const cached = knownCache.get(folder);
  if (cached !== undefined) return cached;
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: { when: number }[];
  };
  const latest = Math.max(0, ...journal.entries.map((e) => e.when));
  knownCache.set(folder, latest);
  return latest;
}

function appliedMigration(sqlite: Database.Database): number | null {
  const table = sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'").get();
  if (!table) return null;
  const row = sqlite.prepare("SELECT max(created_at) AS v FROM __drizzle_migrations").get() as { v: number | null };
  return row.v === null ? null : Number(row.v);
}

/**
 * Opens (creating if needed) the database at `file` (":memory:" for tests),
 * sets the pragmas a busy multi-request server needs, and applies pending
 * migrations in one transaction. Refuses a database migrated by newer code.
 */
export function openDatabase(file: string, opts: { migrate?: boolean } = {}): Db {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  try {
    sqlite.pragma("journal_mode = WAL");
    // Wait for a competing writer (the CLI, a backup) instead of failing with SQLITE_BUSY.
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("synchronous = NORMAL");
    // Reads go through a memory map of the file (see idle-memory.ts), so SQLite's own page
    // cache holds only pages being written or still in the WAL: 2 MB is enough. Memory it
    // takes from the C heap stays with the process (glibc does not give it back), so it is
    // kept small: without the map, search at 100,000 accounts needed 32 MB of cache, and an
    // import with 8 MB left 11 MB behind.
    sqlite.pragma(`mmap_size = ${MMAP_BYTES}`);
    sqlite.pragma("cache_size = -2000");
    sqlite.pragma("temp_store = MEMORY");
    const db = drizzle({ client: sqlite, schema }) as Db;
    writeTransactionsFirst(db);
    cacheOneTimeStatements(db);
    if (opts.migrate !== false) migrateDatabase(db);
    return db;
  } catch (e) {
    // A refused database (too new, failed migration) is left as it was, closed.
    sqlite.close();
    throw e;
  }
}

/**
 * Every transaction here writes, so each begins IMMEDIATE (taking the write
 * lock first) unless it says otherwise. Then busy_timeout waits for another
 * process's write (the CLI, a backup). A deferred transaction that reads
 * first and writes after (the audit entry reads the last hash) would instead
 * fail with "database is locked" when another process commits meanwhile: its
 * snapshot is stale, and no waiting can help.
 */
function writeTransactionsFirst(db: Db): void {
  type Transaction = Db["transaction"];
  const begin: Transaction = db.transaction.bind(db);
  db.transaction = ((fn, config) => begin(fn, { behavior: "immediate", ...config })) as Transaction;
}

export function migrateDatabase(db: Db): { applied: boolean } {
  const folder = migrationsFolder();
  const known = latestKnownMigration(folder);
  const before = appliedMigration(db.$client);
  if (before !== null && before > known) throw new DatabaseTooNewError(before, known);
  migrate(db, { migrationsFolder: folder });
  return { applied: before === null || before < known };
}

/** The newest migration a database has (null: none, not a Roster database or a fresh one) and the newest this code knows. */
export function migrationLevels(sqlite: Database.Database): { applied: number | null; known: number } {
  return { applied: appliedMigration(sqlite), known: latestKnownMigration(migrationsFolder()) };
}

/** True when the database has been migrated before (an existing install, not a fresh file). */
export function hasAppliedMigrations(db: Db): boolean {
  return appliedMigration(db.$client) !== null;
}

/** True when every migration this code knows is applied (for /readyz). */
export function isMigrated(db: Db): boolean {
  try {
    const applied = appliedMigration(db.$client);
    return applied !== null && applied >= latestKnownMigration(migrationsFolder());
  } catch {
    return false;
  }
}

export function databaseFile(dataDir: string): string {
  return dataDir === ":memory:" ? ":memory:" : path.join(dataDir, "roster.db");
}
