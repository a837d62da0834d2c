import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { databaseFile, DatabaseTooNewError, hasAppliedMigrations, isMigrated, migrateDatabase, openDatabase, type Db } from "./db/client.js";

/**
 * A consistent copy of the database while it is in use, through SQLite's
 * online backup API, into `dataDir/backups/roster-<label>-<time>.db`.
 * Backups labelled "backup" (nightly and `roster backup`) beyond `keep` are
 * removed, oldest first; labelled ones (pre-migration, pre-restore) are kept.
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
  if (label === "backup") pruneBackups(dir, Math.max(1, o.keep));
  return file;
}

function pruneBackups(dir: string, keep: number): void {
  const old = readdirSync(dir)
    .filter((f) => f.startsWith("roster-backup-") && f.endsWith(".db"))
    .map((f) => ({ f, t: statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(keep);
  for (const o of old) rmSync(path.join(dir, o.f), { force: true });
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
  const db = openDatabase(databaseFile(o.dataDir), { migrate: false });
  try {
    let backup: string | null = null;
    if (hasAppliedMigrations(db) && !isMigrated(db)) backup = await backupDatabase({ dataDir: o.dataDir, keep: o.keep, label: "pre-migration", source: db.$client });
    let applied: boolean;
    try {
      applied = migrateDatabase(db).applied;
    } catch (e) {
      // The server and a CLI command started together: the other one applied them first.
      if (e instanceof DatabaseTooNewError || !isMigrated(db)) throw e;
      applied = false;
    }
    return { db, applied, backup };
  } catch (e) {
    db.$client.close();
    throw e;
  }
}
