import type Database from "better-sqlite3";
import type { Logger } from "pino";

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
 * whole interval with no request (probes aside: see probes.ts), so
 * 30 to 60 s after the last one, it unmaps the file (the pages stay in the
 * operating system's file cache, so the next read is still fast) and asks
 * SQLite to free what its page cache holds, and has V8 collect its garbage (with --expose-gc,
 * as the image and npm start run it, and --compact-on-every-full-gc, so the collection also
 * hands back the old generation's half-empty pages); the next request maps the file again.
 * While a statement is part-way through its rows, better-sqlite3 takes no
 * other statement on the connection; nothing in the server leaves one open
 * between two turns of the event loop (the export reads each batch whole),
 * but if one did, the release would wait for the next quiet check rather
 * than fail.
 */
export function releaseMemoryWhenIdle(sqlite: Database.Database, opts: { everyMs?: number; log?: Pick<Logger, "warn">; collectGarbage?: () => void } = {}): IdleMemory {
  const everyMs = opts.everyMs ?? 30_000;
  /** better-sqlite3's refusal while a statement iterates; anything else is logged. */
  const busy = (e: unknown) => {
    if (e instanceof TypeError && /busy executing a query/.test(e.message)) return;
    opts.log?.warn({ err: e }, "could not change the database's memory map");
  };
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
    } catch (e) {
      busy(e);
      return false; // tried again at the next quiet check
    }
    released = true;
    sqlite.pragma("shrink_memory");
    // And the JavaScript heap: after a burst (an import, an export), V8 may keep tens of MB of
    // garbage for as long as nothing allocates, which an idle server never does. One full
    // collection (milliseconds), once per quiet spell.
    opts.collectGarbage?.();
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
      } catch (e) {
        busy(e); // reads work unmapped meanwhile; the next request maps again
      }
    },
    check,
    stop: () => clearInterval(timer),
  };
}
