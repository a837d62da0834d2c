import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "./client.js";
import { MMAP_BYTES, releaseMemoryWhenIdle, type IdleMemory } from "./idle-memory.js";

const dirs: string[] = [];
const opened: Db[] = [];
const watchers: IdleMemory[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.stop();
  for (const db of opened.splice(0)) if (db.$client.open) db.$client.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A real database file with about 6 MB of rows in it. */
function bigDatabase(): { db: Db; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "roster-mmap-"));
  dirs.push(dir);
  const file = path.join(dir, "roster.db");
  const db = openDatabase(file);
  opened.push(db);
  const s = db.$client;
  s.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = s.prepare("INSERT INTO filler (body) VALUES (?)");
  s.transaction(() => {
    for (let i = 0; i < 6000; i++) insert.run(`${i}:`.padEnd(1000, "x"));
  })();
  s.pragma("wal_checkpoint(TRUNCATE)"); // the rows now live in the file itself, where the map reads them
  return { db, file };
}

/** Resident kB of this process's mappings of `file` (Linux). */
function mappedKb(file: string): number {
  let kb = 0;
  let inFile = false;
  for (const line of readFileSync("/proc/self/smaps", "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) inFile = head[1] === file;
    else if (inFile) kb += Number(/^Rss:\s+(\d+) kB/.exec(line)?.[1] ?? 0);
  }
  return kb;
}

const readAll = (db: Db) => db.$client.prepare("SELECT count(*) AS n, sum(length(body)) AS bytes FROM filler").get() as { n: number; bytes: number };
const mmapSize = (db: Db) => db.$client.pragma("mmap_size", { simple: true }) as number;

describe("the database's memory while the server is idle", () => {
  it("opens the database reading through a memory map, with a small page cache of its own", () => {
    const { db } = bigDatabase();
    expect(mmapSize(db)).toBe(MMAP_BYTES);
    expect(db.$client.pragma("cache_size", { simple: true })).toBe(-2000);
  });

  it("does not release while requests keep coming: only after a whole quiet interval, once, collecting the heap's garbage with it", () => {
    const { db } = bigDatabase();
    let collections = 0;
    const idle = releaseMemoryWhenIdle(db.$client, { everyMs: 3_600_000, collectGarbage: () => void collections++ });
    watchers.push(idle);
    idle.touch();
    expect(idle.check()).toBe(false); // a request came in this interval
    idle.touch();
    expect(idle.check()).toBe(false);
    expect(mmapSize(db)).toBe(MMAP_BYTES);
    expect(collections).toBe(0);
    expect(idle.check()).toBe(true); // a quiet interval
    expect(mmapSize(db)).toBe(0);
    expect(collections).toBe(1);
    expect(idle.check()).toBe(false); // already released
    expect(collections).toBe(1);
  });

  it.skipIf(!existsSync("/proc/self/smaps"))("hands the mapped pages back when idle and maps them again on the next request, with the same answers", () => {
    const { db, file } = bigDatabase();
    const idle = releaseMemoryWhenIdle(db.$client, { everyMs: 3_600_000 });
    watchers.push(idle);
    const before = readAll(db);
    expect(before).toEqual({ n: 6000, bytes: 6000 * 1000 });
    expect(mappedKb(file)).toBeGreaterThan(5000);

    expect(idle.check()).toBe(true); // nothing touched it since it started
    expect(mappedKb(file)).toBe(0);
    expect(readAll(db)).toEqual(before); // still answers, read the ordinary way
    expect(mappedKb(file)).toBe(0);

    idle.touch();
    expect(mmapSize(db)).toBe(MMAP_BYTES);
    expect(readAll(db)).toEqual(before);
    expect(mappedKb(file)).toBeGreaterThan(5000);
  });

  it("waits for a statement part-way through its rows, then releases at the next quiet check", () => {
    const { db } = bigDatabase();
    const warned: unknown[] = [];
    const idle = releaseMemoryWhenIdle(db.$client, { everyMs: 3_600_000, log: { warn: (o: unknown) => void warned.push(o) } as never });
    watchers.push(idle);
    const rows = db.$client.prepare("SELECT id, body FROM filler ORDER BY id").iterate() as IterableIterator<{ id: number; body: string }>;
    let n = 0;
    for (const row of rows) {
      expect(row.id).toBe(n + 1);
      expect(row.body.startsWith(`${n}:`)).toBe(true);
      n++;
      if (n === 10) expect(idle.check()).toBe(false); // the timer fires between two rows: no throw, no release, nothing logged
    }
    expect(n).toBe(6000);
    expect(warned).toEqual([]);
    expect(mmapSize(db)).toBe(MMAP_BYTES);
    expect(idle.check()).toBe(true);
    expect(mmapSize(db)).toBe(0);
  });

  it("a request that arrives while a statement is part-way through its rows maps the file at the next request, without failing", () => {
    const { db } = bigDatabase();
    const idle = releaseMemoryWhenIdle(db.$client, { everyMs: 3_600_000 });
    watchers.push(idle);
    expect(idle.check()).toBe(true);
    const rows = db.$client.prepare("SELECT id FROM filler").iterate();
    rows.next();
    expect(() => idle.touch()).not.toThrow();
    rows.return?.();
    expect(mmapSize(db)).toBe(0);
    idle.touch();
    expect(mmapSize(db)).toBe(MMAP_BYTES);
  });

  it("logs, and does not throw, when the map cannot be changed for another reason than a busy connection", () => {
    const { db } = bigDatabase();
    const warned: unknown[] = [];
    const idle = releaseMemoryWhenIdle(db.$client, { everyMs: 3_600_000, log: { warn: (o: unknown) => void warned.push(o) } as never });
    watchers.push(idle);
    const pragma = db.$client.pragma.bind(db.$client);
    db.$client.pragma = (() => {
      throw new Error("disk I/O error");
    }) as typeof db.$client.pragma;
    expect(idle.check()).toBe(false);
    expect(warned).toHaveLength(1);
    db.$client.pragma = pragma;
    expect(idle.check()).toBe(true);
  });
});
