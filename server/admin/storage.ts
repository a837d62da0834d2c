import { statfsSync, statSync } from "node:fs";
import path from "node:path";
import { DAY } from "../clock.js";
import type { Deps } from "../deps.js";
import { asc } from "drizzle-orm";
import { accounts, type Account } from "../db/schema.js";
import { databaseFile } from "../db/client.js";
import { nightlyBackups, untilNightly } from "../backup.js";
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
  /** Free space is short of `lowBelowBytes`: room for two more copies of the database, and 1 GiB (a tenth of a smaller volume). */
  low: boolean;
  lowBelowBytes: number;
  backups: {
    /** Nightly backups kept (ROSTER_BACKUP_KEEP); 0: nightly backups are off. */
    keep: number;
    /** How many nightly backups are there now, and when the newest was written. */
    count: number;
    lastAt: string | null;
    bytes: number;
    /** Nightly backups are on, and the newest (or, with none, the first account) is more than two days old. */
    stale: boolean;
    /** When the next nightly backup is due (03:00 in the server's time zone); null when they are off. */
    nextAt: string | null;
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

export interface ReadOptions {
  now: Date;
  /** Since when nightly backups were due (the server's first account); none yet after two days is stale too. */
  inUseSince?: Date | null;
  /** The system's statfs; a test gives a nearly full volume. */
  statfs?: StatFs;
}

/** Reads the data directory; null for a database in memory (tests). Never throws for a missing file. */
export function readStorage(config: { dataDir: string; backupKeep: number }, o: ReadOptions): StorageSummary | null {
  if (config.dataDir === ":memory:") return null;
  const db = databaseFile(config.dataDir);
  const databaseBytes = sizeOf(db) + sizeOf(`${db}-wal`);
  let volume: StorageSummary["volume"] = null;
  try {
    const s = (o.statfs ?? statfsSync)(config.dataDir);
    volume = { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    volume = null;
  }
  const files = nightlyBackups(path.join(config.dataDir, "backups"));
  const newest = files[0]?.mtimeMs ?? 0;
  // Room for two more copies of the database, and 1 GiB (a tenth of a volume smaller than 10 GiB).
  const lowBelowBytes = Math.max(volume ? Math.min(GiB, Math.floor(volume.totalBytes / 10)) : GiB, 2 * databaseBytes);
  const dueSince = newest || (o.inUseSince?.getTime() ?? 0);
  return {
    databaseBytes,
    volume,
    low: volume !== null && volume.freeBytes < lowBelowBytes,
    lowBelowBytes,
    backups: {
      keep: config.backupKeep,
      count: files.length,
      lastAt: newest ? new Date(newest).toISOString() : null,
      bytes: files.reduce((sum, f) => sum + f.size, 0),
      stale: config.backupKeep > 0 && dueSince > 0 && o.now.getTime() - dueSince > 2 * DAY,
      nextAt: config.backupKeep > 0 ? new Date(o.now.getTime() + untilNightly(o.now)).toISOString() : null,
    },
  };
}

/** GET /api/v1/admin/storage and the dashboard's storage card: the owner's (the volume is the whole server's). */
export function storageSummary(deps: Pick<Deps, "config" | "clock" | "db">, actor: Account): StorageSummary | null {
  ownerScope(actor);
  // Ids are time-ordered (UUIDv7): the first by id is the oldest, one index step (min(created_at) scans every account).
  const first = deps.db.select({ at: accounts.createdAt }).from(accounts).orderBy(asc(accounts.id)).limit(1).get()?.at;
  return readStorage(deps.config, { now: deps.clock.now(), inUseSince: first ?? null });
}
