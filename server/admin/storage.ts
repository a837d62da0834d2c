import { readdirSync, statfsSync, statSync } from "node:fs";
import path from "node:path";
import { DAY } from "../clock.js";
import type { Deps } from "../deps.js";
import type { Account } from "../db/schema.js";
import { databaseFile } from "../db/client.js";
import { ownerScope } from "./access.js";

/**
 * The data volume at a glance, for the owner and for Prometheus: when it
 * fills, nothing can be saved any more (log ins, registrations, changes), so
 * the server says so before it happens.
 */
export interface StorageSummary {
  /** roster.db with its write-ahead log. */
  databaseBytes: number;
  /** The volume that holds the data directory: what is left to Roster, and its size. */
  volume: { freeBytes: number; totalBytes: number } | null;
  /** Free space is short of `lowBelowBytes`: room for two more copies of the database, and at least 1 GiB. */
  low: boolean;
  lowBelowBytes: number;
  backups: {
    /** Nightly backups kept (ROSTER_BACKUP_KEEP); 0: nightly backups are off. */
    keep: number;
    /** How many nightly backups are there now, and when the newest was written. */
    count: number;
    lastAt: string | null;
    bytes: number;
    /** Nightly backups are on, and the newest is more than two days old. */
    stale: boolean;
  };
}

const GiB = 1024 ** 3;

const sizeOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

type StatFs = (dir: string) => { bavail: number; bsize: number; blocks: number };

/**
 * Reads the data directory; null for a database in memory (tests). Never
 * throws for a missing file. (`statfs` is the system's; a test gives a
 * nearly full volume.)
 */
export function readStorage(config: { dataDir: string; backupKeep: number }, now: Date, statfs: StatFs = statfsSync): StorageSummary | null {
  if (config.dataDir === ":memory:") return null;
  const db = databaseFile(config.dataDir);
  const databaseBytes = sizeOf(db) + sizeOf(`${db}-wal`);
  let volume: StorageSummary["volume"] = null;
  try {
    const s = statfs(config.dataDir);
    volume = { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    volume = null;
  }
  const dir = path.join(config.dataDir, "backups");
  let files: { mtimeMs: number; size: number }[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => f.startsWith("roster-backup-") && f.endsWith(".db"))
      .map((f) => statSync(path.join(dir, f)));
  } catch {
    files = [];
  }
  const newest = files.reduce((m, f) => Math.max(m, f.mtimeMs), 0);
  const lowBelowBytes = Math.max(GiB, 2 * databaseBytes);
  return {
    databaseBytes,
    volume,
    low: volume !== null && volume.freeBytes < lowBelowBytes,
    lowBelowBytes,
    backups: {
      keep: config.backupKeep,
      count: files.length,
      lastAt: newest ? new Date(newest).toISOString() : null,
      bytes: files.reduce((s, f) => s + f.size, 0),
      stale: config.backupKeep > 0 && newest > 0 && now.getTime() - newest > 2 * DAY,
    },
  };
}

/** GET /api/v1/admin/storage and the dashboard's storage card: the owner's (the volume is the whole server's). */
export function storageSummary(deps: Pick<Deps, "config" | "clock">, actor: Account): StorageSummary | null {
  ownerScope(actor);
  return readStorage(deps.config, deps.clock.now());
}
