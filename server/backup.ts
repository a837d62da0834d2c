import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { errorCode } from "./errors.js";
import { databaseFile, DatabaseTooNewError, hasAppliedMigrations, isMigrated, migrateDatabase, migrationLevels, openDatabase, type Db } from "./db/client.js";

/**
 * A consistent copy of the database while it is in use, through SQLite's
 * online backup API, into `dataDir/backups/roster-<label>-<time>.db`.
 * Nightly backups (label "backup") beyond `keep` are removed, oldest first;
 * other labels (manual from `roster backup`, pre-migration, pre-restore) are
 * kept until someone removes them.
 */
export async function backupDatabase(o: { dataDir: string; keep: number; label?: string; source?: Database.Database; now?: Date }): Promise<string> {
  const label = o.label ?? "backup";
  const dir = path.join(o.dataDir, "backups");
  mkdirSync(dir, { recursive: true });
  const stamp = (o.now ?? new Date()).toISOString().replace(/[:.]/g, "-");
  const file = path.join(dir, `roster-${label}-${stamp}.db`);
  const db = o.source ?? new Database(databaseFile(o.dataDir), { readonly: true, fileMustExist: true });
  try {
    await db.backup(file);
  } finally {
    if (!o.source) db.close();
  }
  // The copy is one self-contained file: in WAL mode (the source's), anything that opened it later,
  // even to check it before a restore, would leave a -wal and a -shm beside it.
  const copy = new Database(file);
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
  if (label === "backup") pruneBackups(dir, Math.max(1, o.keep));
  return file;
}

function pruneBackups(dir: string, keep: number): void {
  for (const b of nightlyBackups(dir).slice(keep)) rmSync(b.file, { force: true });
}

/**
 * The nightly backups (label "backup") in `dir`, newest
 * first; none when the folder is missing or unreadable, and a file removed
 * while they are read is left out.
 */
export function nightlyBackups(dir: string): { file: string; mtimeMs: number; size: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.startsWith("roster-backup-") && f.endsWith(".db"));
  } catch {
    return [];
  }
  const out: { file: string; mtimeMs: number; size: number }[] = [];
  for (const f of names) {
    const file = path.join(dir, f);
    try {
      const st = statSync(file);
      out.push({ file, mtimeMs: st.mtimeMs, size: st.size });
    } catch {
      // Pruned since the listing.
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** Milliseconds until the next 03:00 local time (the nightly backup), from `now`. */
export function untilNightly(now: Date, hour = 3): number {
  const next = new Date(now);
  next.setHours(hour, 0, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

/**
 * Opens the database of `dataDir` and applies pending migrations, first
 * copying it (`roster-pre-migration-…db`) when it holds data migrated by an
 * older Roster: the server at start and every CLI command open it this way,
 * so whichever runs first after an upgrade keeps the copy. Throws
 * DatabaseTooNewError (and changes nothing) for a database from a newer Roster.
 */
export async function openMigrated(o: { dataDir: string; keep: number }): Promise<{ db: Db; applied: boolean; backup: string | null }> {
  try {
    return await openAndMigrate(o);
  } catch (e) {
    if (e instanceof CannotOpenDatabaseError) throw e;
    throw cannotOpen(e, o.dataDir) ?? e;
  }
}

/**
 * Why the database could not be opened, in the words a sysadmin acts on: a
 * damaged file (restore a backup), a directory this process may not write
 * (permissions, a read-only volume), a full volume, a lock held elsewhere.
 * Null for anything else (a bug: its stack is what helps).
 */
export class CannotOpenDatabaseError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "CannotOpenDatabaseError";
  }
}

/**
 * Why `file` cannot be restored, or null when it is a whole backup of a
 * Roster database this version can run: a file SQLite can read, that passes
 * its integrity check, holds Roster's tables, and was not migrated by a newer
 * Roster. An empty file (a copy that failed) would otherwise turn the server
 * into a fresh install whose first registration becomes its owner.
 */
export function backupProblem(file: string): string | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    if ((db.pragma("integrity_check", { simple: true }) as string) !== "ok") return "it fails SQLite's integrity check";
    const { applied, known } = migrationLevels(db);
    const accounts = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts'").get();
    if (applied === null || !accounts) return "it is not a Roster database (no accounts, no migrations)";
    if (applied > known) return "it was made by a newer Roster: restore it with that version";
    return null;
  } catch (e) {
    return `SQLite cannot read it (${errorCode(e) || (e as Error).message})`;
  } finally {
    db?.close();
  }
}

/**
 * The running server's hold on its data directory, for as long as the
 * process lives: an exclusive SQLite lock on `roster.lock`, which the
 * operating system drops when the process ends, however it ends (a crash,
 * SIGKILL, a container stopped). A second server on the same directory, from
 * this container or another one on the same volume, refuses to start, and
 * `roster restore` refuses while a server runs: two writers on one database
 * would lose each other's writes without a sign.
 */
export function holdDataDir(dataDir: string): { release(): void } {
  if (dataDir === ":memory:") return { release: () => {} };
  let lock: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    lock = new Database(path.join(dataDir, "roster.lock"));
    lock.pragma("busy_timeout = 0");
    lock.exec("BEGIN EXCLUSIVE");
  } catch (e) {
    lock?.close();
    if (errorCode(e) === "SQLITE_BUSY") {
      throw new CannotOpenDatabaseError(
        `Another Roster is running on the data directory ${dataDir}: two servers on one database would lose each other's writes. Stop the other one first, or give this one its own ROSTER_DATA_DIR.`,
        "DATA_DIR_IN_USE",
      );
    }
    throw cannotOpen(e, dataDir) ?? e;
  }
  const held = lock;
  return {
    release() {
      if (held.open) held.close();
    },
  };
}

function cannotOpen(e: unknown, dataDir: string): CannotOpenDatabaseError | null {
  const code = errorCode(e);
  const file = databaseFile(dataDir);
  const uid = typeof process.getuid === "function" ? ` (this process runs as uid ${process.getuid()})` : "";
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
    return new CannotOpenDatabaseError(
      `${file} is damaged or is not a Roster database (${code}). Nothing was changed. Restore the newest good copy from ${path.join(dataDir, "backups")} with "roster restore --file <backup>", or move the file away to start empty.`,
      code,
    );
  }
  if (/^(SQLITE_(CANTOPEN|READONLY|PERM|AUTH)|EACCES|EPERM|EROFS|ENOTDIR|EISDIR|EEXIST)/.test(code)) {
    return new CannotOpenDatabaseError(
      `Roster cannot open ${file} for writing (${code}): check that the data directory ${dataDir} exists, is writable${uid}, and is not on a read-only volume.`,
      code,
    );
  }
  if (/^(SQLITE_FULL|ENOSPC)/.test(code)) {
    return new CannotOpenDatabaseError(`The volume of ${dataDir} is full (${code}): free some space, then start Roster again.`, code);
  }
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new CannotOpenDatabaseError(`${file} is locked by another process (${code}): is another Roster, or a copy of this one, using the same data directory?`, code);
  }
  return null;
}

async function openAndMigrate(o: { dataDir: string; keep: number }): Promise<{ db: Db; applied: boolean; backup: string | null }> {
  const db = openDatabase(databaseFile(o.dataDir), { migrate: false });
  try {
    let backup: string | null = null;
    if (hasAppliedMigrations(db) && !isMigrated(db)) {
      try {
        backup = await backupDatabase({ dataDir: o.dataDir, keep: o.keep, label: "pre-migration", source: db.$client });
      } catch (e) {
        // The database is fine; the copy is what failed (and no migration ran without it).
        const code = errorCode(e);
        throw new CannotOpenDatabaseError(
          `Roster could not copy the database to ${path.join(o.dataDir, "backups")} before migrating it (${code || (e as Error).message}): check that the folder is writable and the volume has room. Nothing was changed.`,
          code,
        );
      }
    }
    let applied: boolean;
    try {
      applied = migrateDatabase(db).applied;
    } catch (e) {
      // The server and a CLI command started together: the other one applied them first.
      if (e instanceof DatabaseTooNewError || !isMigrated(db)) throw e;
      applied = false;
    }
    // One write now (the header's user_version, rewritten as it is), so a file this process may
    // only read (owned by another user, a read-only mount) stops the start with the reason, not
    // the first request or the first admin with a stack trace.
    db.$client.pragma(`user_version = ${Number(db.$client.pragma("user_version", { simple: true }))}`);
    return { db, applied, backup };
  } catch (e) {
    db.$client.close();
    throw e;
  }
}
