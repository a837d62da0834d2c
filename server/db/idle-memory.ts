import type Database from "better-sqlite3";

/**
 * How much of the database file SQLite reads through a memory map. Reads
 * (token checks, search, export) then come straight from the operating
 * system's file cache instead of being copied into SQLite's own page cache,
 * so that cache stays small. Up to 1 GiB of the file is mapped; beyond that,
 * SQLite reads as usual.
 */
export const MMAP_BYTES = 1024 * 1024 * 1024;

export interface IdleMemory {
  /** Call on every request (cheap): maps the file again after a release. */
  touch(): void;
  /** One check: releases the memory if nothing touched it since the last check. The timer calls it. */
  check(): boolean;
  stop(): void;
}

/**
 * While the server is busy, the mapped pages of the database count in its
 * resident memory (at 100,000 accounts, about as much as the file). After a
 * quiet interval with no request, it unmaps the file (the pages stay in the
 * operating system's file cache, so the next read is still fast) and asks
 * SQLite to free what its page cache holds; the next request maps it again.
 * A statement part-way through its rows (an export to a slow client) holds
 * the connection: the release then waits for the next quiet check.
 */
export function releaseMemoryWhenIdle(sqlite: Database.Database, everyMs = 30_000): IdleMemory {
  let touched = 0;
  let seen = 0;
  let released = false;
  const check = (): boolean => {
    if (touched !== seen) {
      seen = touched;
      return false;
    }
    if (released || !sqlite.open) return false;
    try {
      sqlite.pragma("mmap_size = 0");
    } catch {
      // A statement is part-way through its rows (a slow client's export): the connection
      // takes no other statement until it ends. Try again at the next quiet check.
      return false;
    }
    released = true;
    sqlite.pragma("shrink_memory");
    return true;
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  return {
    touch() {
      touched++;
      if (!released || !sqlite.open) return;
      try {
        sqlite.pragma(`mmap_size = ${MMAP_BYTES}`);
        released = false;
      } catch {
        // Busy with a statement's rows: reads work unmapped meanwhile; the next request maps again.
      }
    },
    check,
    stop: () => clearInterval(timer),
  };
}
